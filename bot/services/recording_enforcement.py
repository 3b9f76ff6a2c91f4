"""Keeping Teams' recording setting in line with the recording gate.

Whenever a decision changes, someone joins, or the meeting starts, the gate is asked again
and `allowRecording`/`allowTranscription` are set to match: true only when every attendee,
and everyone present, consented by email before the start. Each change is audited with its
reasons. If Graph cannot be reached the setting stays as it was, the meeting is marked as
needing attention and the failure is audited; the gate never opens on an error.
"""

from __future__ import annotations

from bot.graph.failures import GRAPH_FAILURES
from bot.graph.meetings import OnlineMeetings
from bot.policy.recording_gate import evaluate_recording
from consent_store.audit import AuditEvent
from consent_store.unit_of_work import Store

ATTENTION = "recording_setting_not_applied"


async def enforce_recording(
    store: Store,
    meetings: OnlineMeetings,
    meeting_id: str,
    *,
    cause: str,
) -> None:
    """Ask the gate and make Teams match. `cause` says why (audited): e.g. "decision"."""
    async with store.reading() as uow:
        meeting = await uow.meetings.get(meeting_id)
        verdict = evaluate_recording(await uow.meetings.facts(meeting_id))
    allowed = verdict.permitted
    if meeting.teams_meeting_id is None or meeting.teams_recording_allowed is allowed:
        return
    reasons = sorted({b.code.value for b in verdict.blockers})
    try:
        await meetings.set_recording(meeting.organiser_user_id, meeting.teams_meeting_id, allowed)
    except GRAPH_FAILURES as error:
        async with store.unit_of_work() as uow:
            (await uow.meetings.get(meeting_id)).needs_attention = ATTENTION
            await uow.audit(
                AuditEvent(
                    "recording.setting_failed",
                    meeting_id=meeting_id,
                    detail={"wanted": allowed, "cause": cause, "error": type(error).__name__},
                )
            )
            await uow.commit()
        return
    async with store.unit_of_work() as uow:
        row = await uow.meetings.get(meeting_id)
        row.teams_recording_allowed = allowed
        if row.needs_attention == ATTENTION:
            row.needs_attention = None
        await uow.audit(
            AuditEvent(
                "recording.allowed" if allowed else "recording.forbidden",
                meeting_id=meeting_id,
                detail={"cause": cause, "blockers": reasons},
            )
        )
        await uow.commit()
