"""Group commit: items handed in while the store is busy writing are written together in the
next write, so callers waiting to be told their item is stored share transactions instead of
queueing for one each.

At most `at_once` writes are under way at a time: one where the store has one writer (SQLite:
a second write would only queue for it, so waiting callers are better batched), more where
transactions write side by side (PostgreSQL: a caller arriving while one write is under way
starts its own at once instead of waiting for it to end). Each write takes everything handed
in and not yet written.

`GroupCommit.add` returns once the write holding its item has committed, and raises what
that write raised (then nothing of that write is stored). A write cancelled under it (the
process stopping) cancels its callers and those still waiting. A caller who stops waiting
(cancelled) leaves its item in the write: it may still be stored.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")

_Waiting = tuple[T, "asyncio.Future[None]"]


class GroupCommit(Generic[T]):
    """Writes items with `write`, at most `at_once` writes at a time."""

    def __init__(self, write: Callable[[Sequence[T]], Awaitable[None]], *, at_once: int) -> None:
        if at_once < 1:
            raise ValueError("at least one write must be allowed at a time")
        self._write = write
        self._at_once = at_once
        self._pending: list[_Waiting[T]] = []
        self._writes: set[asyncio.Task[None]] = set()

    async def add(self, item: T) -> None:
        """Hand `item` in and wait until it is stored; raises what storing it raised."""
        stored: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((item, stored))
        if len(self._writes) < self._at_once:
            self._start()
        await stored

    def _start(self) -> None:
        task = asyncio.create_task(self._write_batch())
        self._writes.add(task)
        task.add_done_callback(self._written)

    async def _write_batch(self) -> None:
        """Write what waits as the write begins (so what is handed in at the same moment goes
        in together; a write beside it may have taken it all)."""
        batch, self._pending = self._pending, []
        if not batch:
            return
        try:
            await self._write([item for item, _stored in batch])
        except asyncio.CancelledError:
            for _item, stored in batch:
                stored.cancel()
            raise
        except Exception as error:  # noqa: BLE001 (raised again in every caller)
            _settle(batch, error)
        else:
            _settle(batch, None)

    def _written(self, task: asyncio.Task[None]) -> None:
        """A write ended: the next takes what waits, unless this one was cancelled (the
        process stopping), which cancels those waiting too."""
        self._writes.discard(task)
        if task.cancelled():
            for _item, stored in self._pending:
                stored.cancel()
            self._pending = []
        elif self._pending and len(self._writes) < self._at_once:
            self._start()


def _settle(batch: Sequence[_Waiting[object]], error: Exception | None) -> None:
    """Tell each caller still waiting how the write went (one who gave up waiting has gone)."""
    for _item, stored in batch:
        if stored.done():
            continue
        if error is None:
            stored.set_result(None)
        else:
            stored.set_exception(error)
