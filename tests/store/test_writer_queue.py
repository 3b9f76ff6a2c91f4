"""SQLite's one writer handed out in turn within the process: the note of the recording gate
closing for good first, then the activity inbox's group commit that Teams' answers wait for,
then urgent work (a security event being handled), then routine work, each line first come
first served, a waiter that gives up leaving no gap, and units of work on a SQLite store
queueing so."""

from __future__ import annotations

import asyncio
from pathlib import Path

from consent_store.keys import KeyRing
from consent_store.unit_of_work import Store
from consent_store.writer import WriterQueue
from domain.urgency import Urgency, closing_the_gate, working


async def queued(writer: WriterQueue, name: str, urgency: Urgency, order: list[str]) -> None:
    await writer.acquire(urgency)
    order.append(name)
    writer.release()


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_the_most_urgent_work_is_handed_the_writer_first_then_the_rest_in_turn() -> None:
    writer = WriterQueue()
    order: list[str] = []
    await writer.acquire(Urgency.ROUTINE)
    waiting = [
        asyncio.create_task(queued(writer, name, urgency, order))
        for name, urgency in [
            ("file 1", Urgency.ROUTINE),
            ("join 1", Urgency.URGENT),
            ("file 2", Urgency.ROUTINE),
            ("answers", Urgency.ANSWERING),
            ("gate closing", Urgency.GATE_CLOSING),
            ("join 2", Urgency.URGENT),
            ("file 3", Urgency.ROUTINE),
        ]
    ]
    await settle()
    assert (order, writer.waiting) == ([], 7)

    writer.release()
    await asyncio.gather(*waiting)
    assert order == [
        "gate closing",
        "answers",
        "join 1",
        "join 2",
        "file 1",
        "file 2",
        "file 3",
    ]
    await asyncio.wait_for(writer.acquire(Urgency.ROUTINE), 1)


async def test_a_waiter_that_gives_up_leaves_no_gap() -> None:
    writer = WriterQueue()
    order: list[str] = []
    await writer.acquire(Urgency.ROUTINE)
    given_up = asyncio.create_task(writer.acquire(Urgency.GATE_CLOSING))
    after = asyncio.create_task(queued(writer, "next", Urgency.ROUTINE, order))
    await settle()
    given_up.cancel()
    await settle()
    writer.release()
    await asyncio.wait_for(after, 1)
    assert order == ["next"]
    assert writer.waiting == 0


async def test_units_of_work_on_sqlite_are_handed_the_writer_most_urgent_first(
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

    async def close_the_gate() -> None:
        with closing_the_gate():
            async with store.unit_of_work():
                order.append("gate closing")

    try:
        held = asyncio.create_task(first())
        await holding.wait()
        waiting = [
            asyncio.create_task(write("file", False)),
            asyncio.create_task(write("join", True)),
            asyncio.create_task(close_the_gate()),
        ]
        await settle()
        release.set()
        await asyncio.gather(held, *waiting)
    finally:
        await store.close()
    assert order == ["gate closing", "join", "file"]
