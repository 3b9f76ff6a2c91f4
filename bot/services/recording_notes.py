"""What the reconciler notes besides the switch itself, and the settings it puts back.

- Once the meeting has really started, a gate found closed, or Teams found not allowing
  recording, closes for good (`closes_for_good`): the store notes it
  (`note_closed_for_good`, audited once) and the gate says why, so staff see that recording
  stays off until the meeting ends.
- Teams' meeting chat may show the call started although the bot never took the event (lost
  while its store was down, or before a crash): the real start is noted from it
  (`note_start_seen_in_chat`).
- Settings found other than the bot left them (the organiser changed the meeting options in
  Teams) are put back by the reconciler, audited (`recording.settings_restored`, with what was
  found: `note_restored`) and the organiser is told in plain words. The lobby and the
  presenters are put back the same way (`restore_lobby`, `meeting.lobby_restored`), without
  touching recording.

The organiser's email is sent before returning, or handed to `TellLater` when the caller must
not wait for it (the recording guard, whose next roster waits behind it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

from bot.policy.recording_gate import RecordingVerdict
from bot.ports.failures import GRAPH_FAILURES
from bot.ports.mail import Mailbox
from bot.ports.meetings import Meetings, MeetingSettings
from bot.services.meeting_start import StartSource, note_start
from bot.services.organiser_notices import Notice, tell_organiser
from bot.services.stays_off_notice import queue_stays_off
from consent_store.audit import AuditEvent, DetailValue
from consent_store.stored import MeetingRow
from consent_store.unit_of_work import Store
from domain.terms import MeetingFacts
from domain.urgency import closing_the_gate

log = logging.getLogger(__name__)

TellLater = Callable[[Coroutine[Any, Any, bool]], None]
"""Takes the organiser's email (`tell_organiser`, not yet started) and sends it later."""


def blocker_codes(verdict: RecordingVerdict) -> list[str]:
    """The verdict's blockers by code, as the audit and the counters name them."""
    return sorted({b.code.value for b in verdict.blockers})


async def note_closed_for_good(
    store: Store, meeting_id: str, cause: str, verdict: RecordingVerdict
) -> bool:
    """Note that recording stays off for the rest of the meeting, and why; whether this was
    the first time (so staff are told once: the notice is queued with the note, as a job that
    gives it if the caller does not, `stays_off_notice`). Switching recording off waits for
    this, so it is written before any other waiting work (`domain.urgency`)."""
    codes = blocker_codes(verdict)
    with closing_the_gate():
        async with store.unit_of_work() as uow:
            closed = await uow.meetings.close_recording_for_good(meeting_id, uow.now(), codes)
            if closed:
                await queue_stays_off(uow, meeting_id)
                await uow.audit(
                    AuditEvent(
                        "recording.closed_for_good",
                        meeting_id=meeting_id,
                        detail={"cause": cause, "blockers": codes},
                    )
                )
            await uow.commit()
    return closed


async def note_start_seen_in_chat(store: Store, meeting_id: str, at: datetime) -> MeetingFacts:
    """Teams' meeting chat says the call started at `at` although the bot had not seen it (an
    event lost while the bot could not take it): note the real start; the meeting's facts."""
    async with store.unit_of_work() as uow:
        await note_start(uow, meeting_id, StartSource.TEAMS_CHAT, at=at)
        await uow.commit()
    async with store.reading() as uow:
        return await uow.meetings.facts(meeting_id)


async def restore_lobby(
    store: Store,
    meetings: Meetings,
    meeting: MeetingRow,
    found: MeetingSettings,
    cause: str,
    mailbox: Mailbox | None,
    tell_later: TellLater | None,
) -> None:
    """The lobby or the presenters were changed in Teams (the organiser's meeting options):
    put them back, leaving recording as the gate has it, and read them back. Audited with what
    was found, and the organiser told; a failure is audited and left to the next check."""
    assert meeting.teams_meeting_id is not None
    error: str | None = None
    try:
        await meetings.restore_lobby(meeting.organiser_user_id, meeting.teams_meeting_id)
        after = await meetings.settings(meeting.organiser_user_id, meeting.teams_meeting_id)
        if not (after.lobby_organiser_only and after.organiser_presents_alone):
            error = "not confirmed by Teams"
    except GRAPH_FAILURES as failure:
        error = type(failure).__name__
    detail: dict[str, DetailValue] = {
        "cause": cause,
        "found_lobby_organiser_only": found.lobby_organiser_only,
        "found_organiser_presents_alone": found.organiser_presents_alone,
    }
    if error is not None:
        log.warning("lobby of meeting %s not put back: %s", meeting.id, error)
        detail["error"] = error
    async with store.unit_of_work() as uow:
        await uow.audit(
            AuditEvent(
                "meeting.lobby_restored" if error is None else "meeting.lobby_not_restored",
                meeting_id=meeting.id,
                detail=detail,
            )
        )
        await uow.commit()
    if error is None and mailbox is not None:
        telling = tell_organiser(store, mailbox, meeting.id, Notice.LOBBY_RESTORED, ())
        if tell_later is None:
            await telling
        else:
            tell_later(telling)


async def note_restored(
    store: Store,
    meeting_id: str,
    found: MeetingSettings,
    allowed: bool,
    verdict: RecordingVerdict,
    cause: str,
    mailbox: Mailbox | None,
    tell_later: TellLater | None,
    told: bool,
) -> None:
    """Settings changed in Teams (by the organiser, in the meeting options) were put back:
    audit what was found, and tell the organiser unless the change already did."""
    async with store.unit_of_work() as uow:
        await uow.audit(
            AuditEvent(
                "recording.settings_restored",
                meeting_id=meeting_id,
                detail={
                    "cause": cause,
                    "found_allow_recording": found.allow_recording,
                    "found_allow_transcription": found.allow_transcription,
                    "found_record_automatically": found.record_automatically,
                    "restored_allowed": allowed,
                    "blockers": blocker_codes(verdict),
                },
            )
        )
        await uow.commit()
    if mailbox is not None and not told:
        notice = Notice.RECORDING_ALLOWED if allowed else Notice.RECORDING_FORBIDDEN
        telling = tell_organiser(store, mailbox, meeting_id, notice, verdict.blockers)
        if tell_later is None:
            await telling
        else:
            tell_later(telling)
