"""Group commit: whatever is handed in while a write is under way is written together in the
next one, so callers waiting to be told their item is stored share transactions instead of
queueing for one each (on SQLite, for its one writer).

`GroupCommit.add` returns once the write holding its item has committed, and raises what
that write raised (then nothing of that write is stored). A write cancelled under it (the
process stopping) cancels its callers and those still waiting. A caller who stops waiting
(cancelled) leaves its item in the batch: it may still be stored.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


class GroupCommit(Generic[T]):
    """Writes items with `write`, one batch at a time: each batch is everything handed in
    since the last one began."""

    def __init__(self, write: Callable[[Sequence[T]], Awaitable[None]]) -> None:
        self._write = write
        self._pending: list[tuple[T, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def add(self, item: T) -> None:
        """Hand `item` in and wait until it is stored; raises what storing it raised."""
        stored: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((item, stored))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_all())
        await stored

    async def _write_all(self) -> None:
        batch: list[tuple[T, asyncio.Future[None]]] = []
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                try:
                    await self._write([item for item, _stored in batch])
                except Exception as error:  # noqa: BLE001 (raised again in every caller)
                    _settle(batch, error)
                else:
                    _settle(batch, None)
        finally:
            self._writer = None
            for _item, stored in (*batch, *self._pending):
                stored.cancel()
            self._pending = []


def _settle(batch: Sequence[tuple[object, asyncio.Future[None]]], error: Exception | None) -> None:
    """Tell each caller still waiting how the write went (one who gave up waiting has gone)."""
    for _item, stored in batch:
        if stored.done():
            continue
        if error is None:
            stored.set_result(None)
        else:
            stored.set_exception(error)
