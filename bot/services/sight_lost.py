"""After the bot lost sight of a meeting whose recording Teams allows.

When the bot could not see a meeting for a while (it was not running, or refused what Teams
sent while the store was down: `bot/services/meeting_watch.py`), someone may have joined and
left unseen. `after_losing_sight` asks whether the meeting was under way before the bot could
see again (its start seen, or Teams' chat recording its call starting); if so the gate closes
for good (`SIGHT_LOST`) and Teams is made to match it (`enforce_recording`). If that cannot be
read, recording is switched off until the reconcile job has read that the meeting had not
started.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Final

from bot.policy.recording_gate import evaluate_recording
from bot.ports.failures import GRAPH_FAILURES
from bot.ports.mail import Mailbox
from bot.ports.meetings import CallStartUnknown, Meetings
from bot.services.change_plan import CANCELLED
from bot.services.recording_checks import RECONCILE_SOON, queue_reconcile
from bot.services.recording_enforcement import OnClosed, enforce_recording, note_change
from bot.services.recording_notes import TellLater, note_start_seen_in_chat
from bot.services.recording_setting import set_and_confirm
from consent_store.audit import AuditEvent
from consent_store.stored import MeetingRow
from consent_store.unit_of_work import Store

log = logging.getLogger(__name__)

LOST_SIGHT_CAUSE: Final = "sight_lost"


async def after_losing_sight(
    store: Store,
    meetings: Meetings,
    meeting_id: str,
    regained_at: datetime,
    *,
    mailbox: Mailbox | None = None,
    tell_later: TellLater | None = None,
    on_closed: OnClosed | None = None,
) -> bool:
    """The bot could not see the meeting for a while before `regained_at`. If it was under way
    before then, note that sight was lost (the gate then closes for good) and make Teams
    match; if whether it was cannot be read, switch recording off (the reconcile job switches
    it back on only once it reads that the meeting has not started). Whether this is settled:
    False when recording could not be confirmed off, to be tried again."""
    async with store.reading() as uow:
        meeting = await uow.meetings.get(meeting_id)
    if meeting.status == CANCELLED:
        return True
    started: datetime | None = meeting.started_at
    if started is None or started >= regained_at:
        try:
            seen = await _start_in_chat(meetings, meeting)
        except (*GRAPH_FAILURES, CallStartUnknown) as unread:
            if started is None:
                return await _off_until_start_known(
                    store, meetings, meeting, type(unread).__name__, mailbox, tell_later
                )
            log.warning(
                "meeting %s: its start, seen after the bot could see again, is not confirmed "
                "by the chat (%s): taken as under way before",
                meeting.id,
                type(unread).__name__,
            )
            return await _sight_lost(
                store, meetings, meeting, regained_at, started, mailbox, tell_later, on_closed
            )
        if seen is not None:
            await note_start_seen_in_chat(store, meeting_id, seen)
            started = seen if started is None else min(started, seen)
    if started is None or started >= regained_at:
        return True
    return await _sight_lost(
        store, meetings, meeting, regained_at, started, mailbox, tell_later, on_closed
    )


async def _sight_lost(
    store: Store,
    meetings: Meetings,
    meeting: MeetingRow,
    regained_at: datetime,
    started: datetime,
    mailbox: Mailbox | None,
    tell_later: TellLater | None,
    on_closed: OnClosed | None,
) -> bool:
    """Note that the bot lost sight of the meeting under way, audited with for how long at
    most, and make Teams match the gate, which is now closed for good."""
    meeting_id = meeting.id
    unseen_from = max(started, meeting.watched_at or started)
    async with store.unit_of_work() as uow:
        if await uow.meetings.note_sight_lost(meeting_id, uow.now()):
            await uow.audit(
                AuditEvent(
                    "recording.sight_lost",
                    meeting_id=meeting_id,
                    detail={
                        "unseen_seconds": max(0, round((regained_at - unseen_from).total_seconds()))
                    },
                )
            )
        await uow.commit()
    await enforce_recording(
        store,
        meetings,
        meeting_id,
        cause=LOST_SIGHT_CAUSE,
        mailbox=mailbox,
        tell_later=tell_later,
        on_closed=on_closed,
    )
    return True


class _NoMeetingChat(CallStartUnknown):
    """The meeting's chat is not known, so its call's start cannot be read."""


async def _start_in_chat(meetings: Meetings, meeting: MeetingRow) -> datetime | None:
    """When Teams' meeting chat says the call started (None: it has not); raises
    `CallStartUnknown` or a Graph failure when that cannot be read. A start the bot noted
    itself may have been noted late (an event delivered again after a restart), so the chat's
    record is what shows whether the meeting was under way while the bot could not see it."""
    if meeting.teams_chat_thread_id is None:
        raise _NoMeetingChat(meeting.id)
    return await meetings.call_started(meeting.teams_chat_thread_id)


async def _off_until_start_known(
    store: Store,
    meetings: Meetings,
    meeting: MeetingRow,
    unread: str,
    mailbox: Mailbox | None,
    tell_later: TellLater | None,
) -> bool:
    """Whether the meeting started while the bot could not see it is unknown: switch its
    recording off, and leave switching it back on to the reconcile job (which reads the start
    first). Whether Teams confirmed it off."""
    log.warning(
        "meeting %s: whether it started while out of sight is unknown (%s)", meeting.id, unread
    )
    if meeting.teams_meeting_id is None:
        return True
    confirmed, error = await set_and_confirm(
        meetings, meeting.organiser_user_id, meeting.teams_meeting_id, allowed=False
    )
    if not confirmed:
        log.warning(
            "meeting %s: recording not switched off after losing sight: %s", meeting.id, error
        )
        return False
    async with store.reading() as uow:
        verdict = evaluate_recording(await uow.meetings.facts(meeting.id))
    await note_change(store, meeting.id, False, verdict, LOST_SIGHT_CAUSE, mailbox, tell_later)
    async with store.unit_of_work() as uow:
        await queue_reconcile(uow, meeting.id, RECONCILE_SOON)
        await uow.commit()
    return True
