"""What the meeting and its organiser are told after the recording guard switches, without
holding it up.

Everything the guard says after a switch is said in the background, in order per meeting and
`NOTICES_AT_ONCE` meetings at a time (a serial queue, `bot.serial_queue`; a failure is logged
by its type and counted): the organiser's email about each change of the setting
(`tell_later`), the private notice telling the organising staff why recording stays off for
the rest of the meeting (`tell_stays_off_later`; a durable job gives it if this does not:
`stays_off_notice`), and the meeting's warnings (`later`: the card, the spoken notice, the
private notice to staff). Why: a switch is the guard's promise and every notice is a
courtesy after it. Said in line, they held the inbox's place for the call or chat for a card,
a prompt and a private notice, so under a burst of strangers in many meetings (200 meetings,
ten rosters a second, `bench/recording_guard.py`) the next meetings' switches queued behind
other meetings' notices: p95 2.9 s, against 0.5 s once the notices wait instead. `settled`
waits for all of them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Final

from bot.ports.failures import CHAT_FAILURES
from bot.serial_queue import Priority, SerialQueue
from bot.services.live_meeting import MeetingChat
from bot.services.stays_off_notice import give_stays_off
from consent_store.audit import AuditEvent
from consent_store.unit_of_work import Store

NOTICES_AT_ONCE: Final = 8
"""How many meetings' notices are given at a time."""
RECORDING_NOTICES: Final = "recording_notices"
"""The queue of the notices after a switch, as the log and `iass.queue.failures` name it."""


class OrganiserUpdates:
    """The notices after a switch, queued per meeting, for the recording guard: the
    organiser's emails about the recording setting, the private notice that recording stays
    off, and the meeting's warnings."""

    def __init__(self, store: Store, chat: MeetingChat) -> None:
        self._store = store
        self._chat = chat
        self._telling: SerialQueue[str] = SerialQueue(RECORDING_NOTICES, at_once=NOTICES_AT_ONCE)

    def later(self, meeting_id: str, notices: Callable[[], Awaitable[object]]) -> None:
        """Give the meeting's `notices` once its earlier ones are given."""
        self._telling.submit(meeting_id, Priority.LOW, notices)

    def tell_later(self, meeting_id: str, telling: Coroutine[Any, Any, bool]) -> None:
        """Send the organiser's email once the meeting's earlier notices are given."""
        self.later(meeting_id, lambda: telling)

    async def tell_stays_off_later(self, meeting_id: str) -> None:
        """`tell_stays_off`, once the meeting's earlier notices are given."""
        self.later(meeting_id, lambda: self.tell_stays_off(meeting_id))

    async def settled(self) -> None:
        """Wait until the notices handed off so far are given (or have failed)."""
        await self._telling.idle()

    async def tell_stays_off(self, meeting_id: str) -> None:
        """Tell the organising staff privately, in words, why recording stays off until the
        meeting ends (`stays_off_notice`); a notice the chat refuses is audited, and its job
        gives it later."""
        try:
            await give_stays_off(self._store, self._chat, meeting_id)
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
