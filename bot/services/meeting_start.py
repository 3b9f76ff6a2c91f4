"""The meeting's real start: the earliest of its scheduled start, Teams' meeting-start event, the
first person joining, the bot's call established and the first call roster with anyone in it.

Meetings often start early; consent must come "prior to the meeting", so the first of these
seen is the cut-off for every gate. It is stored once across instances (the store keeps the
earliest start seen), and at that moment the recording gate's answer is frozen for the
statistics and the start is audited with its source. Making Teams match the gate afterwards
is the caller's (`recording_enforcement`), which closes recording for good if it is not
permitted then.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from bot.policy.recording_gate import evaluate_recording
from consent_store.audit import AuditEvent
from consent_store.unit_of_work import UnitOfWork


class StartSource(StrEnum):
    """Where the start was seen."""

    SCHEDULE = "schedule"
    TEAMS_EVENT = "teams_event"
    PARTICIPANT_JOINED = "participant_joined"
    CALL_ESTABLISHED = "call_established"
    ROSTER = "roster"
    TEAMS_CHAT = "teams_chat"
    """Teams' record of the call starting, in the meeting chat."""


async def note_start(
    uow: UnitOfWork, meeting_id: str, source: StartSource, at: datetime | None = None
) -> bool:
    """Record in the caller's transaction that the meeting was seen starting (now, or `at`);
    whether this was the first start seen. The first time, the gate's answer at that moment is
    kept as the meeting's recording outcome and the start audited. A cancelled meeting has no
    start."""
    meeting = await uow.meetings.get(meeting_id)
    if meeting.status == "cancelled":
        return False
    seen_at = uow.now() if at is None else at
    if not await uow.meetings.mark_started(meeting_id, seen_at):
        return False
    verdict = evaluate_recording(await uow.meetings.facts(meeting_id))
    await uow.meetings.set_recording_outcome(meeting_id, verdict.permitted)
    await uow.audit(
        AuditEvent(
            "meeting.started",
            meeting_id=meeting_id,
            detail={
                "source": source.value,
                "early": seen_at < meeting.starts_at,
                "recording_permitted": verdict.permitted,
                "blockers": sorted({b.code.value for b in verdict.blockers}),
            },
        )
    )
    return True
