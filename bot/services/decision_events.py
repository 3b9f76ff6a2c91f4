"""Telling whoever must know that a meeting's consent decisions changed.

Decisions change when intake records an email and when staff confirm a reading from the
review queue; each time the recording gate must be asked again and Teams' setting made to
match. Listeners are registered once the bot has its Graph clients (see bot.mailbox.runtime).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

Listener = Callable[[str], Awaitable[None]]


class DecisionEvents:
    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def add(self, listener: Listener) -> None:
        self._listeners.append(listener)

    async def decisions_changed(self, meeting_id: str) -> None:
        for listener in self._listeners:
            await listener(meeting_id)
