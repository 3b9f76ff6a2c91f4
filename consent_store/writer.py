"""SQLite's one writer, handed out in turn within a process: urgent work first.

Why: SQLite lets one transaction write at a time. Left to SQLite, units of work waiting for it
sleep in its busy handler, which backs off up to 100 ms between tries, so every unit of work
in the process queues for the writer here instead, and is woken the moment it is free. The
queue has two lines: work marked urgent (`domain.urgency`: a security event being handled,
such as a stranger joining) is handed the writer before any other waiting work, so a switch
of Teams' recording setting never waits behind a flood of answers and files; within each line
the order is first come, first served, and work that is not urgent is never passed over for
good (it waits only while urgent work queues). A unit of work holds the writer from its
start to its end (`consent_store.unit_of_work`); PostgreSQL needs none of this.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque


class WriterQueue:
    """The writer, held by one unit of work at a time; urgent ones are handed it first."""

    def __init__(self) -> None:
        self._held = False
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._others: deque[asyncio.Future[None]] = deque()

    @property
    def waiting(self) -> int:
        """How many units of work wait for the writer."""
        return sum(not f.done() for f in (*self._urgent, *self._others))

    async def acquire(self, *, urgent: bool) -> None:
        """Wait until this caller holds the writer."""
        if not self._held and not self.waiting:
            self._held = True
            return
        granted = asyncio.get_running_loop().create_future()
        line = self._urgent if urgent else self._others
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
        """Hand the writer to the next urgent waiter, else the next other one, else free it."""
        for line in (self._urgent, self._others):
            while line:
                granted = line.popleft()
                if not granted.done():
                    granted.set_result(None)
                    return
        self._held = False
