"""Teams' recording setting, switched and read back.

A change counts only when Graph reads it back (`Meetings.settings`: `allowRecording`,
`allowTranscription` and `recordAutomatically`), never on our own write. A change that fails,
or that Teams does not confirm, is tried again at once a few times (`QUICK_RETRY_DELAYS`);
what is still not confirmed then is the caller's to leave to the reconcile job
(`recording_enforcement`). Switching on is never sent once the meeting starts too soon for it
to land before the start (`SWITCH_ON_MARGIN`). The lock-down of a meeting's settings after
scheduling is made and read back the same way.

When the gate cannot be asked at all (the store is down, or an error no one expected) for a
meeting under way, the recording guard switches its recording off from what it remembers
(`KnownMeetings`: organiser and Teams meeting ids), without the store.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from bot.ports.failures import GRAPH_FAILURES
from bot.ports.meetings import Meetings, MeetingSettings
from consent_store.stored import MeetingRow

log = logging.getLogger(__name__)

TOO_CLOSE_TO_START: Final = "the meeting starts too soon to switch recording on"
QUICK_RETRY_DELAYS: Final = (0.2, 0.5, 1.0)
"""Seconds between the immediate attempts at a change, before it is left to the job."""

without_store: Counter[str] = Counter()
"""How often recording was switched off without the store, by outcome (for logs and tests)."""


@dataclass(frozen=True, slots=True)
class _TeamsMeeting:
    organiser_id: str
    teams_meeting_id: str


class KnownMeetings:
    """Each meeting's organiser and Teams meeting id, as last read from the store, so that its
    recording can be switched off while the store cannot be read."""

    def __init__(self) -> None:
        self._meetings: dict[str, _TeamsMeeting] = {}
        self._by_chat: dict[str, str] = {}

    def remember(self, meeting: MeetingRow) -> None:
        if meeting.teams_meeting_id is not None:
            self._meetings[meeting.id] = _TeamsMeeting(
                meeting.organiser_user_id, meeting.teams_meeting_id
            )
        if meeting.teams_chat_thread_id is not None:
            self._by_chat[meeting.teams_chat_thread_id] = meeting.id

    def in_chat(self, thread_id: str) -> str | None:
        """The id of the meeting whose chat this is, if known."""
        return self._by_chat.get(thread_id)

    async def switch_off(self, meetings: Meetings, meeting_id: str) -> bool:
        """Switch the meeting's recording off from memory; whether Teams confirmed it."""
        known = self._meetings.get(meeting_id)
        if known is None:
            without_store["unknown_meeting"] += 1
            log.error("recording not switched off for meeting %s: not known", meeting_id)
            return False
        confirmed, error = await set_and_confirm(
            meetings, known.organiser_id, known.teams_meeting_id, allowed=False
        )
        without_store["confirmed" if confirmed else "failed"] += 1
        log.warning(
            "recording switched off without the store for meeting %s: %s",
            meeting_id,
            "confirmed" if confirmed else f"not confirmed ({error})",
        )
        return confirmed


async def set_and_confirm(
    meetings: Meetings,
    organiser_id: str,
    teams_meeting_id: str,
    *,
    allowed: bool,
    in_time: Callable[[], bool] | None = None,
) -> tuple[bool, str | None]:
    """Set the meeting's recording and read it back, trying again a few times at once; whether
    Teams confirmed it, and the last failure's type if not. Switching on is not sent once
    `in_time` says the meeting starts too soon (`SWITCH_ON_MARGIN`), however long the attempts
    before took."""
    failure: str | None = None
    for delay in (0.0, *QUICK_RETRY_DELAYS):
        await asyncio.sleep(delay)
        if allowed and in_time is not None and not in_time():
            return False, TOO_CLOSE_TO_START
        try:
            await meetings.set_recording(organiser_id, teams_meeting_id, allowed)
            settings = await meetings.settings(organiser_id, teams_meeting_id)
            if settings.recording_is(allowed):
                return True, None
            failure = "not confirmed by Teams"
        except GRAPH_FAILURES as error:
            failure = type(error).__name__
    return False, failure


async def lock_down_and_confirm(
    meetings: Meetings, organiser_id: str, teams_meeting_id: str
) -> tuple[bool, str | None]:
    """Lock the meeting's settings down (`Meetings.lock_down`) and read them back,
    trying again a few times at once; whether Graph confirmed them, and the last failure's
    type if not."""
    failure: str | None = None
    for delay in (0.0, *QUICK_RETRY_DELAYS):
        await asyncio.sleep(delay)
        try:
            await meetings.lock_down(organiser_id, teams_meeting_id)
            if (await meetings.settings(organiser_id, teams_meeting_id)).locked_down:
                return True, None
            failure = "not confirmed by Teams"
        except GRAPH_FAILURES as error:
            failure = type(error).__name__
    return False, failure


async def read_settings(meetings: Meetings, meeting: MeetingRow) -> MeetingSettings | None:
    """Teams' settings as Graph reads them now; None when they cannot be read."""
    if meeting.teams_meeting_id is None:
        return None
    try:
        return await meetings.settings(meeting.organiser_user_id, meeting.teams_meeting_id)
    except GRAPH_FAILURES as error:
        log.warning(
            "recording setting of meeting %s not read: %s", meeting.id, type(error).__name__
        )
        return None
