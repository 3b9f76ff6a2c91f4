"""The consent mailbox's reading loop after a failed read: Graph does not notify again for mail
it has already notified, so a reply that arrived while the store or Graph was failing must be
read soon after they are back, without another email and without waiting for the next tick."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import cast

import httpx
from sqlalchemy.exc import OperationalError

from bot.mailbox.notifications import ReadingLoop
from bot.mailbox.reader import MailboxReader


class FailingThenWorking:
    def __init__(self, failures: list[Exception]) -> None:
        self.failures = failures
        self.reads = 0

    async def catch_up(self) -> Counter[str]:
        self.reads += 1
        if self.failures:
            raise self.failures.pop(0)
        return Counter(recorded=1)


async def reads_within(reader: FailingThenWorking, seconds: float, **retry: float) -> int:
    loop = ReadingLoop(cast(MailboxReader, reader), interval=3600, **retry)
    running = asyncio.create_task(loop.run())
    await asyncio.sleep(seconds)
    running.cancel()
    return reader.reads


async def test_a_read_the_store_failed_is_tried_again_until_it_works_then_waits() -> None:
    store_down = OperationalError("SELECT 1", {}, Exception("connection refused"))
    reader = FailingThenWorking([store_down, store_down, store_down])
    assert await reads_within(reader, 0.5, retry_first=0.02, retry_most=0.05) == 4


async def test_a_read_graph_failed_is_tried_again_with_growing_pauses() -> None:
    reader = FailingThenWorking([httpx.ConnectError("refused")] * 100)
    reads = await reads_within(reader, 0.5, retry_first=0.05, retry_most=0.2)
    assert 3 <= reads <= 6
