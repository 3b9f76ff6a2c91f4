"""What the meeting's organiser is told while the recording guard runs, without holding it up.

The organiser's email about each change of the setting is sent in the background, in order per
meeting and `NOTICES_AT_ONCE` meetings at a time (a serial queue, `bot.serial_queue`; a failure
is logged by its type and counted), so that the call's next roster (handled after this one)
never waits for the mail (`tell_later`); `settled` waits for those emails. When recording stays
off for the rest of a meeting, the organising staff are told why, privately in the meeting chat
(`tell_stays_off`).
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, Final

from bot.announcement.notices import recording_stays_off
from bot.policy.blockers import BlockerCode, blocker_sentences
from bot.policy.recording_gate import RecordingVerdict
from bot.ports.failures import CHAT_FAILURES
from bot.serial_queue import Priority, SerialQueue
from bot.services.live_meeting import MeetingChat
from consent_store.audit import AuditEvent
from consent_store.unit_of_work import Store

NOTICES_AT_ONCE: Final = 8
"""How many meetings' organiser emails are sent at a time."""
ORGANISER_NOTICES: Final = "organiser_notices"
"""The queue of the organiser's emails, as the log and `iass.queue.failures` name it."""


class OrganiserUpdates:
    """The organiser's emails about the recording setting, queued per meeting, and the private
    notice that recording stays off, for the recording guard."""

    def __init__(self, store: Store, chat: MeetingChat) -> None:
        self._store = store
        self._chat = chat
        self._telling: SerialQueue[str] = SerialQueue(ORGANISER_NOTICES, at_once=NOTICES_AT_ONCE)

    def tell_later(self, meeting_id: str, telling: Coroutine[Any, Any, bool]) -> None:
        """Send the organiser's email once the meeting's earlier ones are sent."""
        self._telling.submit(meeting_id, Priority.LOW, lambda: telling)

    async def settled(self) -> None:
        """Wait until the organiser's emails handed off so far are sent (or have failed)."""
        await self._telling.idle()

    async def tell_stays_off(self, meeting_id: str, verdict: RecordingVerdict) -> None:
        """Tell the organising staff privately, in words, why recording stays off until the
        meeting ends (attendees described as "someone"); a notice that fails is audited."""
        async with self._store.reading() as uow:
            meeting = await uow.meetings.get(meeting_id)
        if meeting.teams_chat_thread_id is None:
            return
        reasons = [b for b in verdict.blockers if b.code is not BlockerCode.CLOSED_SINCE_START]
        text = recording_stays_off(blocker_sentences(reasons, lambda _: None))
        try:
            await self._chat.notify_privately(
                meeting.teams_chat_thread_id, [meeting.organiser_user_id], text
            )
        except CHAT_FAILURES as error:
            async with self._store.unit_of_work() as uow:
                await uow.audit(
                    AuditEvent(
                        "recording.notice_failed",
                        meeting_id=meeting_id,
                        detail={"notices": ["stays_off"], "errors": [type(error).__name__]},
                    )
                )
                await uow.commit()
