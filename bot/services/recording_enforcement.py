"""Keeping Teams' recording setting in line with the recording gate.

Whenever a decision changes, someone joins, or the meeting starts, the gate is asked again
and `allowRecording`/`allowTranscription` are set to match: true only when every attendee,
and everyone present, consented by email before the start. Each change is audited with its
reasons, and the meeting's organiser is told by email (`organiser_notices`) when a mailbox
is given. If Graph cannot be reached the setting stays as it was, the meeting is marked as
needing attention and the failure is audited; the gate never opens on an error. A caller
that must not wait for the email (the recording guard, whose next roster waits behind it)
hands it to `tell_later` instead.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from sqlalchemy import case, or_, update

from bot.graph.failures import GRAPH_FAILURES
from bot.graph.mailbox import ConsentMailbox
from bot.graph.meetings import OnlineMeetings
from bot.policy.recording_gate import RecordingVerdict, evaluate_recording
from bot.policy.terms import Participant
from bot.services.organiser_notices import Notice, tell_organiser
from consent_store.audit import AuditEvent
from consent_store.tables import MeetingRow
from consent_store.unit_of_work import Store, UnitOfWork

ATTENTION = "recording_setting_not_applied"

TellLater = Callable[[Coroutine[Any, Any, bool]], None]
"""Takes the organiser's email (`tell_organiser`, not yet started) and sends it later."""


async def _store_applied(uow: UnitOfWork, meeting_id: str, allowed: bool) -> bool:
    """Note Teams' new setting (clearing this module's attention mark); False when a run at
    the same time already noted it, so that one change is audited and reported once."""
    noted = await uow.session.execute(
        update(MeetingRow)
        .where(
            MeetingRow.id == meeting_id,
            or_(
                MeetingRow.teams_recording_allowed.is_(None),
                MeetingRow.teams_recording_allowed != allowed,
            ),
        )
        .values(
            teams_recording_allowed=allowed,
            needs_attention=case(
                (MeetingRow.needs_attention == ATTENTION, None), else_=MeetingRow.needs_attention
            ),
        )
        .execution_options(synchronize_session=False)
        .returning(MeetingRow.id)
    )
    return noted.first() is not None


async def enforce_recording(
    store: Store,
    meetings: OnlineMeetings,
    meeting_id: str,
    *,
    cause: str,
    mailbox: ConsentMailbox | None = None,
    present: tuple[Participant, ...] | None = None,
    tell_later: TellLater | None = None,
) -> RecordingVerdict:
    """Ask the gate and make Teams match; the gate's verdict. `cause` says why (audited): e.g.
    "decision". With `mailbox`, the organiser is told of each change from it (by `tell_later`
    when given, otherwise before returning). `present`, when given, is who is in the meeting as
    just seen (a call roster not yet stored), instead of the store's.
    """
    async with store.reading() as uow:
        meeting = await uow.meetings.get(meeting_id)
        verdict = evaluate_recording(await uow.meetings.facts(meeting_id, present))
    allowed = verdict.permitted
    if meeting.teams_meeting_id is None or meeting.teams_recording_allowed is allowed:
        return verdict
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
        return verdict
    async with store.unit_of_work() as uow:
        if not await _store_applied(uow, meeting_id, allowed):
            return verdict
        await uow.audit(
            AuditEvent(
                "recording.allowed" if allowed else "recording.forbidden",
                meeting_id=meeting_id,
                detail={"cause": cause, "blockers": reasons},
            )
        )
        await uow.commit()
    if mailbox is not None:
        notice = Notice.RECORDING_ALLOWED if allowed else Notice.RECORDING_FORBIDDEN
        telling = tell_organiser(store, mailbox, meeting_id, notice, verdict.blockers)
        if tell_later is None:
            await telling
        else:
            tell_later(telling)
    return verdict
