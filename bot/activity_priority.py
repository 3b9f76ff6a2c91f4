"""Which of a meeting chat's activities the activity inbox (`bot.meeting_inbox`) handles first.

Someone joining or leaving and the meeting starting or ending are security events: high
priority, started before any file waiting in another chat. A file waiting ahead of a security
event in its own chat is lifted (the chat's order is kept), whether the event is in the batch
being handled or only stored by this instance and not read yet, so a stranger joining during
a flood switches recording off at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from bot.serial_queue import Priority
from consent_store.meeting_activities import WaitingActivity

SECURITY_KINDS: Final = frozenset(
    {"meeting_started", "meeting_ended", "participant_joined", "participant_left"}
)
"""The activities that go first: who is in the meeting, and when it runs."""


def priority_of(kind: str) -> Priority:
    """Security events first; posted files (and any kind this version does not know) after."""
    return Priority.HIGH if kind in SECURITY_KINDS else Priority.LOW


class UrgentChats:
    """Per chat, the security events this instance stored and has not seen handled."""

    def __init__(self) -> None:
        self._events: dict[str, set[str]] = {}

    def stored(self, thread_id: str, activity_id: str) -> None:
        self._events.setdefault(thread_id, set()).add(activity_id)

    def waiting(self, thread_id: str) -> frozenset[str]:
        """The chat's security events stored here and not yet handled."""
        return frozenset(self._events.get(thread_id, ()))

    def priority(self, thread_id: str, ahead: Sequence[WaitingActivity]) -> Priority:
        """High for a security event (`ahead[0]`); lifted for anything ahead of one in its
        chat (in `ahead`, or stored here and not yet handled)."""
        own = priority_of(ahead[0].kind)
        if own is Priority.LOW and (
            thread_id in self._events or any(i.kind in SECURITY_KINDS for i in ahead)
        ):
            return Priority.LIFTED
        return own

    def forget(self, thread_id: str, activity_ids: Iterable[str]) -> None:
        """They were handled (or dropped, or are another instance's now)."""
        events = self._events.get(thread_id)
        if events is not None:
            events.difference_update(activity_ids)
            if not events:
                del self._events[thread_id]

    def clear(self) -> None:
        self._events.clear()
