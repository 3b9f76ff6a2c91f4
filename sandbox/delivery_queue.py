"""Notifications leaving the sandbox: sent one at a time in arrival order from a single queue,
through the tenant's notification fault knobs (drop, duplicate, hold back until the next one),
and retried after a failure.

A sender gives the queue an `attempt` (send one item, answer the HTTP status, raise
`aiohttp.ClientError` or `TimeoutError` when it cannot) and a `record` for each outcome.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import aiohttp

from sandbox.faults import FaultPlan

Item = TypeVar("Item")


class NotificationQueue(Generic[Item]):
    def __init__(
        self,
        faults: FaultPlan,
        attempt: Callable[[Item], Awaitable[int]],
        record: Callable[[Item, str], None],
        retry_delays_seconds: tuple[float, ...] = (1.0, 5.0),
    ) -> None:
        self._faults = faults
        self._attempt = attempt
        self._record = record
        self._retry_delays = retry_delays_seconds
        self._queue: asyncio.Queue[Item] = asyncio.Queue()
        self._held: list[Item] = []
        self._worker: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._worker = asyncio.create_task(self._deliver_forever())

    async def stop(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)

    async def idle(self) -> None:
        """Wait until every queued item has been delivered or given up on."""
        await self._queue.join()

    def release_held(self) -> None:
        """Send items held back by a `reorder` fault now, without waiting for the next one."""
        for item in self._held:
            self._queue.put_nowait(item)
        self._held.clear()

    def dispatch(self, item: Item) -> None:
        fault = self._faults.take_notification_fault()
        if fault == "drop":
            self._record(item, "dropped (fault)")
            return
        if fault == "reorder":
            self._held.append(item)
            self._record(item, "held back (fault)")
            return
        self._queue.put_nowait(item)
        if fault == "duplicate":
            self._queue.put_nowait(item)
        self.release_held()

    async def _deliver_forever(self) -> None:
        while True:
            item = await self._queue.get()
            try:
                await self._deliver(item)
            finally:
                self._queue.task_done()

    async def _deliver(self, item: Item) -> None:
        for delay in (0.0, *self._retry_delays):
            await asyncio.sleep(delay)
            try:
                status = await self._attempt(item)
            except (aiohttp.ClientError, TimeoutError) as error:
                self._record(item, f"failed: {type(error).__name__}")
                continue
            if 200 <= status < 300:
                self._record(item, f"delivered: HTTP {status}")
                return
            self._record(item, f"failed: HTTP {status}")
