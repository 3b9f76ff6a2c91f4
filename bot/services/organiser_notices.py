"""Telling a meeting's organiser by email, from the consent mailbox: each change the bot makes
to Teams' recording setting, with its reasons, and a warning when the meeting will start (or
has started) without everyone's consent to recording.

It also tells them when the lobby or the presenters, changed in the meeting options, were put
back. The organiser is a staff member known by directory object id; their address is looked up
through the staff directory (which keeps an answer from Graph for a few minutes) and never
stored. The email names the meeting by its title (the organiser's own words) with its
reference and time, and describes attendees only by kind ("a parent carer"), never by name or
address. Each notice is audited; one that cannot be sent
is logged and audited as not sent and never stops the work that caused it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from enum import StrEnum

from bot.mail.consent_request import describe_when
from bot.policy.blockers import Blocker, blocker_sentences
from bot.policy.recording_gate import evaluate_recording
from bot.ports.failures import GRAPH_FAILURES
from bot.ports.mail import Mailbox, OutgoingEmail
from consent_store.audit import AuditEvent, DetailValue
from consent_store.unit_of_work import Store
from domain.terms import AttendeeKind
from templates import environment, in_uk_time

log = logging.getLogger(__name__)

TOLD = "organiser.told"
NOT_TOLD = "organiser.not_told"
NO_ADDRESS = "no_address"

KIND_PHRASES: Mapping[AttendeeKind, str] = {
    AttendeeKind.PARENT_CARER: "a parent carer",
    AttendeeKind.YOUNG_PERSON: "a young person",
    AttendeeKind.STAFF: "a member of IASS staff",
    AttendeeKind.PROFESSIONAL: "a professional",
}


class Notice(StrEnum):
    """What the organiser is told."""

    RECORDING_ALLOWED = "recording_allowed"
    RECORDING_FORBIDDEN = "recording_forbidden"
    WILL_START_WITHOUT_CONSENT = "will_start_without_consent"
    STARTED_WITHOUT_CONSENT = "started_without_consent"
    LOBBY_RESTORED = "lobby_restored"


def reasons_without_names(
    blockers: Iterable[Blocker], kinds: Mapping[str, AttendeeKind]
) -> tuple[str, ...]:
    """Each blocker's staff sentence with its attendee described by kind, once each."""

    def by_kind(attendee_id: str) -> str | None:
        kind = kinds.get(attendee_id)
        return KIND_PHRASES[kind] if kind else None

    return blocker_sentences(blockers, by_kind)


async def _send(mailbox: Mailbox, organiser_id: str, values: dict[str, object]) -> str | None:
    """Look the organiser up and send them the notice; returns why it was not sent, or None.
    Graph failures propagate."""
    contact = await mailbox.directory.contact(organiser_id)
    if contact is None:
        return NO_ADDRESS
    values = {**values, "name": contact.display_name}
    env = environment()
    await mailbox.send(
        OutgoingEmail(
            to=contact.address,
            subject=env.get_template("email/organiser_subject.txt.j2").render(values).strip(),
            text=env.get_template("email/organiser_notice.txt.j2").render(values),
            html=env.get_template("email/organiser_notice.html.j2").render(values),
        )
    )
    return None


async def tell_organiser(
    store: Store,
    mailbox: Mailbox,
    meeting_id: str,
    notice: Notice,
    blockers: tuple[Blocker, ...],
) -> bool:
    """Email the meeting's organiser and audit it; returns whether it was sent. A Graph
    failure is logged and audited, never raised."""
    async with store.reading() as uow:
        meeting = await uow.meetings.get(meeting_id)
        facts = await uow.meetings.facts(meeting_id, present=())
        now = uow.now()
        title = uow.decrypt(meeting.title_enc, "meetings", "title", meeting.id)
    values: dict[str, object] = {
        "notice": notice.value,
        "reference": meeting.reference,
        "named": f"“{title}” ({meeting.reference})" if title else meeting.reference,
        "page": mailbox.meeting_pages + meeting.reference if mailbox.meeting_pages else None,
        "when": describe_when(meeting.starts_at, meeting.ends_at),
        "changed_at": in_uk_time(now, "%H:%M on %A %d %B %Y"),
        "reasons": reasons_without_names(blockers, {a.id: a.kind for a in facts.attendees}),
    }
    try:
        failure = await _send(mailbox, meeting.organiser_user_id, values)
    except GRAPH_FAILURES as error:
        failure = type(error).__name__
    detail: dict[str, DetailValue] = {
        "notice": notice.value,
        "blockers": sorted({b.code.value for b in blockers}),
    }
    if failure is not None:
        log.warning("organiser of meeting %s not told (%s): %s", meeting_id, notice, failure)
        detail["error"] = failure
    async with store.unit_of_work() as uow:
        await uow.audit(
            AuditEvent(TOLD if failure is None else NOT_TOLD, meeting_id=meeting_id, detail=detail)
        )
        await uow.commit()
    return failure is None


async def warn_if_without_consent(
    store: Store, mailbox: Mailbox, meeting_id: str, notice: Notice
) -> bool:
    """Warn the organiser (`notice`: will start, or started) when recording was requested
    but the gate does not permit it; returns whether a warning was sent."""
    async with store.reading() as uow:
        facts = await uow.meetings.facts(meeting_id)
    verdict = evaluate_recording(facts)
    if not facts.recording_requested or facts.cancelled or verdict.permitted:
        return False
    return await tell_organiser(store, mailbox, meeting_id, notice, verdict.blockers)
