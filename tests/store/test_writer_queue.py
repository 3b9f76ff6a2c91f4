"""SQLite's one writer handed out in turn within the process: urgent work (a security event
being handled) before any other waiting work, each line first come first served, a waiter
that gives up leaving no gap, and units of work on a SQLite store queueing so."""

from __future__ import annotations

import asyncio
from pathlib import Path

from consent_store.keys import KeyRing
from consent_store.unit_of_work import Store
from consent_store.writer import WriterQueue
from domain.urgency import working


async def queued(writer: WriterQueue, name: str, urgent: int, order: list[str]) -> None:
    await writer.acquire(urgent=bool(urgent))
    order.append(name)
    writer.release()


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_urgent_work_is_handed_the_writer_first_then_the_rest_in_turn() -> None:
    writer = WriterQueue()
    order: list[str] = []
    await writer.acquire(urgent=False)
    waiting = [
        asyncio.create_task(queued(writer, name, urgent, order))
        for name, urgent in [
            ("file 1", False),
            ("file 2", False),
            ("join", True),
            ("file 3", False),
        ]
    ]
    await settle()
    assert (order, writer.waiting) == ([], 4)

    writer.release()
    await asyncio.gather(*waiting)
    assert order == ["join", "file 1", "file 2", "file 3"]
    await asyncio.wait_for(writer.acquire(urgent=False), 1)


async def test_a_waiter_that_gives_up_leaves_no_gap() -> None:
    writer = WriterQueue()
    order: list[str] = []
    await writer.acquire(urgent=False)
    given_up = asyncio.create_task(writer.acquire(urgent=True))
    after = asyncio.create_task(queued(writer, "next", False, order))
    await settle()
    given_up.cancel()
    await settle()
    writer.release()
    await asyncio.wait_for(after, 1)
    assert order == ["next"]
    assert writer.waiting == 0


async def test_units_of_work_on_sqlite_are_handed_the_writer_urgent_first(
    tmp_path: Path, key_ring: KeyRing
) -> None:
    """(PostgreSQL has many writers: nothing queues in the process.)"""
    store = Store.open(f"sqlite+aiosqlite:///{tmp_path / 'writer.db'}", key_ring)
    order: list[str] = []
    holding = asyncio.Event()
    release = asyncio.Event()

    async def first() -> None:
        async with store.unit_of_work():
            holding.set()
            await release.wait()

    async def write(name: str, urgent: bool) -> None:
        with working(urgent=urgent):
            async with store.unit_of_work():
                order.append(name)

    try:
        held = asyncio.create_task(first())
        await holding.wait()
        waiting = [
            asyncio.create_task(write("file", False)),
            asyncio.create_task(write("join", True)),
        ]
        await settle()
        release.set()
        await asyncio.gather(held, *waiting)
    finally:
        await store.close()
    assert order == ["join", "file"]
