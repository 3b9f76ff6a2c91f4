"""Bringing a recording or transcript made without consent to staff: each counted
(`iass.backstop.alerts`), and the organiser and every user holding the manager app role
emailed at once from the consent mailbox, described by reference and kind, never by name;
each email audited as sent or not. Who holds the manager role is asked of Graph at most every
`MANAGERS_LIFETIME`. `bot.services.recording_backstop` finds and judges; this tells.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from bot import instruments
from bot.mail.consent_request import describe_when
from bot.policy.recording_backstop import ArtefactVerdict
from bot.ports.failures import GRAPH_FAILURES
from bot.ports.mail import OutgoingEmail, StaffMail
from bot.ports.recordings import ArtefactSource, ListedArtefact
from bot.services.backstop_reasons import backstop_sentences, made_when
from bot.services.organiser_notices import reasons_without_names
from consent_store.audit import AuditEvent, DetailValue
from consent_store.stored import MeetingRow
from consent_store.unit_of_work import Store
from templates import environment, in_uk_time

log = logging.getLogger(__name__)

MANAGERS_LIFETIME: Final = 300.0
"""Seconds who holds the manager role is kept before Graph is asked again (as the staff
directory keeps addresses): a burst of recordings does not ask for each one."""

ALERT_SENT = "recording.alert_sent"
ALERT_NOT_SENT = "recording.alert_not_sent"
NO_ADDRESS = "no_address"


@dataclass(frozen=True)
class Finding:
    """A recording or transcript kept, and how the gate judged it."""

    artefact_id: str
    listed: ListedArtefact
    verdict: ArtefactVerdict


class StaffAlerts:
    """The backstop's alerts to the organiser and the managers."""

    def __init__(
        self,
        store: Store,
        source: ArtefactSource,
        mailbox: StaffMail,
        *,
        manager_role: str,
    ) -> None:
        self._store = store
        self._source = source
        self._mailbox = mailbox
        self._manager_role = manager_role
        self._known_managers: tuple[float, list[str]] | None = None

    async def bring_to_staff(
        self, meeting: MeetingRow, unpermitted: Sequence[Finding], found_by: str
    ) -> None:
        """Count each finding not permitted and alert staff about them."""
        for finding in unpermitted:
            instruments.backstop_alert(kind=finding.listed.kind.value, found_by=found_by)
        if unpermitted:
            await self._alert(meeting, unpermitted)

    async def _alert(self, meeting: MeetingRow, findings: Sequence[Finding]) -> None:
        """Email the organiser and every manager about the findings, each audited."""
        try:
            managers = await self._managers()
        except GRAPH_FAILURES as error:
            managers = []
            log.warning("managers not found for a recording alert: %s", type(error).__name__)
        recipients = {meeting.organiser_user_id: "organiser"}
        for manager in managers:
            recipients.setdefault(manager, "manager")
        async with self._store.reading() as uow:
            kinds = {a.id: a.kind for a in (await uow.meetings.facts(meeting.id)).attendees}
            now = uow.now()
        values: dict[str, object] = {
            "reference": meeting.reference,
            "when": describe_when(meeting.starts_at, meeting.ends_at),
            "found_at": in_uk_time(now, "%H:%M on %A %d %B %Y"),
            "findings": [
                {
                    "kind": f.listed.kind.value,
                    "made": made_when(f.listed.created_at),
                    "reasons": (
                        *reasons_without_names(f.verdict.blockers, kinds),
                        *backstop_sentences(f.verdict.reasons),
                    ),
                }
                for f in findings
            ],
        }
        outcomes = await asyncio.gather(
            *(self._tell(meeting.id, user_id, role, values) for user_id, role in recipients.items())
        )
        async with self._store.unit_of_work() as uow:
            for user_id, role, failure in outcomes:
                detail: dict[str, DetailValue] = {
                    "to": role,
                    "recipient": user_id,
                    "artefacts": [f.artefact_id for f in findings],
                }
                if failure is not None:
                    detail["error"] = failure
                await uow.audit(
                    AuditEvent(
                        ALERT_SENT if failure is None else ALERT_NOT_SENT,
                        meeting_id=meeting.id,
                        subject_id=findings[0].artefact_id,
                        detail=detail,
                    )
                )
            await uow.commit()

    async def _tell(
        self, meeting_id: str, user_id: str, role: str, values: dict[str, object]
    ) -> tuple[str, str, str | None]:
        try:
            failure = await self._send(user_id, values)
        except GRAPH_FAILURES as error:
            failure = type(error).__name__
        if failure is not None:
            log.warning("recording alert for meeting %s not sent: %s", meeting_id, failure)
        return user_id, role, failure

    async def _managers(self) -> list[str]:
        """Who holds the manager role, asked of Graph at most every `MANAGERS_LIFETIME`."""
        if self._known_managers is not None:
            at, managers = self._known_managers
            if time.monotonic() - at < MANAGERS_LIFETIME:
                return managers
        managers = await self._source.holders_of(self._manager_role)
        self._known_managers = (time.monotonic(), managers)
        return managers

    async def _send(self, user_id: str, values: dict[str, object]) -> str | None:
        contact = await self._mailbox.directory.contact(user_id)
        if contact is None:
            return NO_ADDRESS
        values = {**values, "name": contact.display_name}
        env = environment()
        await self._mailbox.send(
            OutgoingEmail(
                to=contact.address,
                subject=f"Meeting {values['reference']}: a recording made without consent",
                text=env.get_template("email/recording_alert.txt.j2").render(values),
                html=env.get_template("email/recording_alert.html.j2").render(values),
            )
        )
        return None
