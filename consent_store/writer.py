"""SQLite's one writer, handed out in turn within a process: the most urgent work first.

Why: SQLite lets one transaction write at a time. Left to SQLite, units of work waiting for it
sleep in its busy handler, which backs off up to 100 ms between tries, so every unit of work
in the process queues for the writer here instead, and is woken the moment it is free. The
queue has a line for each level of urgency (`domain.urgency`): the note of the recording gate
closing for good, which a stranger's switch-off waits for, first; then the inboxes' group
commits, which every answer to Teams and to Graph's calling service waits for; then urgent
work (a security event being handled), so a switch of Teams' recording setting never waits
behind a flood of files; then routine work. Within each line the order is first come, first
served, and routine work is never passed over for good (it waits only while more urgent work
queues). A unit of work holds the writer from its start to its end
(`consent_store.unit_of_work`); PostgreSQL needs none of this.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque

from domain.urgency import Urgency


class WriterQueue:
    """The writer, held by one unit of work at a time; the most urgent are handed it first."""

    def __init__(self) -> None:
        self._held = False
        self._lines: dict[Urgency, deque[asyncio.Future[None]]] = {
            level: deque() for level in sorted(Urgency, reverse=True)
        }

    @property
    def waiting(self) -> int:
        """How many units of work wait for the writer."""
        return sum(not f.done() for line in self._lines.values() for f in line)

    async def acquire(self, urgency: Urgency) -> None:
        """Wait until this caller holds the writer."""
        if not self._held and not self.waiting:
            self._held = True
            return
        granted = asyncio.get_running_loop().create_future()
        line = self._lines[urgency]
        line.append(granted)
        try:
            await granted
        except asyncio.CancelledError:
            if granted.done() and not granted.cancelled():
                self.release()
            else:
                with contextlib.suppress(ValueError):
                    line.remove(granted)
            raise

    def release(self) -> None:
        """Hand the writer to the next waiter of the most urgent line, or free it."""
        for line in self._lines.values():
            while line:
                granted = line.popleft()
                if not granted.done():
                    granted.set_result(None)
                    return
        self._held = False
