"""The recording backstop: recordings and transcripts Teams made are found whatever the
rosters said, and any made without consent is brought to staff at once.

Two ways in, one check. Graph's change notifications for new recordings and transcripts
across the tenant name a meeting (`notified`); and after each meeting ends a timed job lists
its recordings and transcripts (`check_meeting`, `RECORDING_CHECK` in
`bot.services.backstop_checks`, twice: soon after the scheduled end and a day later, as Teams
makes them available after processing). Either way each one is kept once (ids and times only)
with the gate's answer for its time (`bot.policy.recording_backstop`; the answer as stored:
`bot.services.backstop_reasons`). One that was not permitted is audited and counted
(`iass.backstop.alerts`), and the organiser and every user holding the manager app role are
emailed at once from the consent mailbox (described by reference and kind, never by name:
`bot.services.backstop_alerts`); the meeting page shows it in red until staff record what was
done with it (`resolve`). The bot never deletes a recording (it may be evidence), and cannot
remove its sharing: Graph's callRecording names no file (the audit says so). A permitted one
is only noted, so subject access and disposal account for it.

A recording is often notified as it ends, and judged then by what the bot knew then; but the
gate's closing while it ran may be noted only later (a stranger's join handled behind a
backlog, or once the store is back). So each check after the meeting first judges again
those kept as permitted, with the facts as they stand, and one no longer permitted is kept
as such and brought to staff as a new one is, once (`JUDGED_AGAIN`).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import timedelta
from enum import StrEnum
from typing import Final

from bot.policy.recording_backstop import (
    ArtefactKind,
    ArtefactVerdict,
    FoundArtefact,
    judge_artefact,
)
from bot.ports.mail import StaffMail
from bot.ports.recordings import ArtefactSource, ListedArtefact, NotifiedArtefact
from bot.scheduler.runner import Handler
from bot.services.backstop_alerts import Finding, StaffAlerts
from bot.services.backstop_checks import RECORDING_CHECK
from bot.services.backstop_reasons import encode_reasons
from consent_store.audit import AuditEvent, DetailValue
from consent_store.jobs import ClaimedJob
from consent_store.recording_artefacts import NewArtefact, RecordingArtefacts
from consent_store.stored import MeetingRow
from consent_store.unit_of_work import Store

log = logging.getLogger(__name__)

CATCH_UP_WINDOW: Final = timedelta(days=1)

FOUND = "recording.found"
FOUND_WITHOUT_CONSENT = "recording.found_without_consent"
RESOLVED = "recording.resolved"
SHARING_NOT_REACHABLE = "not_reachable"
JUDGED_AGAIN: Final = "judged_again"
"""How a recording kept as permitted was found not permitted: judged again after the meeting."""

not_ours: Counter[str] = Counter()
"""Notifications about meetings the store does not know (or could not read), by reason."""


class FoundBy(StrEnum):
    NOTIFICATION = "notification"
    AFTER_MEETING = "after_meeting"


def _found_event(
    meeting_id: str,
    artefact_id: str,
    item: ListedArtefact,
    found_by: str,
    verdict: ArtefactVerdict,
) -> AuditEvent:
    """The audit entry for a recording or transcript found, and how it was judged."""
    detail: dict[str, DetailValue] = {
        "kind": item.kind.value,
        "found_by": found_by,
        "reasons": sorted({r.partition(":")[0] for r in encode_reasons(verdict)}),
    }
    if not verdict.permitted:
        detail["sharing"] = SHARING_NOT_REACHABLE
    return AuditEvent(
        FOUND if verdict.permitted else FOUND_WITHOUT_CONSENT,
        meeting_id=meeting_id,
        subject_id=artefact_id,
        detail=detail,
    )


class RecordingBackstop:
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
        self._alerts = StaffAlerts(store, source, mailbox, manager_role=manager_role)

    def job_handlers(self) -> Mapping[str, Handler]:
        """The check after a meeting; its retries follow `backstop_checks.RETRY_POLICIES`."""

        async def check(job: ClaimedJob) -> None:
            if job.meeting_id is not None:
                await self.check_meeting(job.meeting_id, FoundBy.AFTER_MEETING)

        return {RECORDING_CHECK: check}

    async def notified(self, notified: NotifiedArtefact) -> int:
        """A notification named a new recording or transcript: check its meeting; returns
        how many new ones were found."""
        async with self._store.reading() as uow:
            meeting = await RecordingArtefacts(uow).meeting_of_teams_meeting(notified.meeting_id)
            known = meeting is not None and await RecordingArtefacts(uow).known(
                meeting.id, notified.kind.value, notified.graph_id
            )
        if meeting is None:
            not_ours["unknown meeting"] += 1
            log.info("a %s of a meeting the bot did not arrange: ignored", notified.kind.value)
            return 0
        if known:
            return 0
        item = await self._source.artefact(
            meeting.organiser_user_id, notified.meeting_id, notified.kind, notified.graph_id
        )
        if item is None:
            not_ours["not found in Graph"] += 1
            log.warning("a notified %s is not in Graph; the meeting is checked", notified.kind)
            return len(await self.check_meeting(meeting.id, FoundBy.NOTIFICATION))
        return len(await self._found(meeting, [item], FoundBy.NOTIFICATION))

    async def catch_up(self) -> int:
        """Notifications may have been lost: check again every meeting that ended in the last
        day, now. Returns how many checks were queued."""
        async with self._store.unit_of_work() as uow:
            now = uow.now()
            ids = await RecordingArtefacts(uow).meetings_ended_between(now - CATCH_UP_WINDOW, now)
            jobs = uow.jobs
            for meeting_id in ids:
                await jobs.requeue(
                    f"{RECORDING_CHECK}:{meeting_id}:catch-up", RECORDING_CHECK, now, meeting_id
                )
            await uow.commit()
        return len(ids)

    async def check_meeting(self, meeting_id: str, found_by: FoundBy) -> list[str]:
        """Judge again those kept as permitted (`_judge_again`); then list the meeting's
        recordings and transcripts, keep the new ones with the gate's answer, and alert staff
        about each not permitted; the new ones' ids. Graph failures propagate (the job
        retries)."""
        async with self._store.reading() as uow:
            meeting = await uow.meetings.get(meeting_id)
        if meeting.teams_meeting_id is None:
            return []
        await self._judge_again(meeting)
        listed = await self._source.artefacts(meeting.organiser_user_id, meeting.teams_meeting_id)
        return await self._found(meeting, listed, found_by)

    async def _judge_again(self, meeting: MeetingRow) -> None:
        """Judge each recording and transcript kept as permitted again, with the meeting's
        facts as they stand now (the gate's closing noted since, a reply taken in late); keep
        each no longer permitted as such, audited, and alert staff about it, once."""
        findings: list[Finding] = []
        async with self._store.unit_of_work() as uow:
            facts = await uow.meetings.facts(meeting.id, present=())
            closed_at = (await uow.meetings.get(meeting.id)).recording_closed_at
            artefacts = RecordingArtefacts(uow)
            for kept in await artefacts.for_meeting(meeting.id):
                if not kept.permitted:
                    continue
                item = ListedArtefact(
                    ArtefactKind(kept.kind), kept.graph_id, kept.created_at, kept.ended_at
                )
                verdict = judge_artefact(
                    facts, closed_at, FoundArtefact(item.kind, item.created_at, item.ended_at)
                )
                if verdict.permitted or not await artefacts.judge_again(
                    kept.id, encode_reasons(verdict)
                ):
                    continue
                await uow.audit(_found_event(meeting.id, kept.id, item, JUDGED_AGAIN, verdict))
                findings.append(Finding(kept.id, item, verdict))
            await uow.commit()
        if findings:
            log.info(
                "meeting %s: %d kept as permitted judged again without consent",
                meeting.id,
                len(findings),
            )
        await self._alerts.bring_to_staff(meeting, findings, JUDGED_AGAIN)

    async def _found(
        self, meeting: MeetingRow, listed: Sequence[ListedArtefact], found_by: FoundBy
    ) -> list[str]:
        """Keep the new ones of `listed` with the gate's answer, and alert staff about each
        not permitted; the new ones' ids."""
        findings = await self._keep(meeting, listed, found_by)
        unpermitted = [f for f in findings if not f.verdict.permitted]
        log.info(
            "meeting %s: %d recordings or transcripts seen, %d new, %d without consent",
            meeting.id,
            len(listed),
            len(findings),
            len(unpermitted),
        )
        await self._alerts.bring_to_staff(meeting, unpermitted, found_by.value)
        return [f.artefact_id for f in findings]

    async def _keep(
        self, meeting: MeetingRow, listed: Sequence[ListedArtefact], found_by: FoundBy
    ) -> list[Finding]:
        findings: list[Finding] = []
        async with self._store.unit_of_work() as uow:
            facts = await uow.meetings.facts(meeting.id, present=())
            row = await uow.meetings.get(meeting.id)
            artefacts = RecordingArtefacts(uow)
            for item in listed:
                found = FoundArtefact(item.kind, item.created_at, item.ended_at)
                verdict = judge_artefact(facts, row.recording_closed_at, found)
                artefact_id = await artefacts.add(
                    NewArtefact(
                        meeting_id=meeting.id,
                        kind=item.kind.value,
                        graph_id=item.graph_id,
                        created_at=item.created_at,
                        ended_at=item.ended_at,
                        found_by=found_by.value,
                        permitted=verdict.permitted,
                        reasons=encode_reasons(verdict),
                    )
                )
                if artefact_id is None:
                    continue
                await uow.audit(
                    _found_event(meeting.id, artefact_id, item, found_by.value, verdict)
                )
                findings.append(Finding(artefact_id, item, verdict))
            await uow.commit()
        return findings


async def resolve(
    store: Store, meeting_id: str, artefact_id: str, staff_id: str, resolution: str
) -> bool:
    """Staff record what was done with a recording made without consent; audited. False when
    there is none such waiting."""
    async with store.unit_of_work() as uow:
        done = await RecordingArtefacts(uow).resolve(meeting_id, artefact_id, staff_id, resolution)
        if done:
            await uow.audit(
                AuditEvent(RESOLVED, actor=staff_id, meeting_id=meeting_id, subject_id=artefact_id)
            )
            await uow.commit()
    return done
