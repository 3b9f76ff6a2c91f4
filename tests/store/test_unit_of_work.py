"""Units of work: readers do not queue behind a writer; a reading unit cannot write."""

from __future__ import annotations

import asyncio

import pytest

from consent_store.unit_of_work import Store
from tests.builders import schedule


async def test_a_reader_is_not_held_up_by_an_open_writer(store: Store) -> None:
    meeting_id, _ = await schedule(store)
    writing = asyncio.Event()
    finish = asyncio.Event()

    async def writer() -> None:
        async with store.unit_of_work() as uow:
            (await uow.meetings.get(meeting_id)).safeguarding_hold = True
            await uow.session.flush()
            writing.set()
            await finish.wait()
            await uow.commit()

    task = asyncio.create_task(writer())
    await writing.wait()
    async with store.reading() as uow:
        facts = await asyncio.wait_for(uow.meetings.facts(meeting_id), timeout=2)
        held = (await uow.meetings.get(meeting_id)).safeguarding_hold
    assert len(facts.attendees) == 3
    assert held is False
    finish.set()
    await task


async def test_a_reading_unit_of_work_cannot_commit(store: Store) -> None:
    async with store.reading() as uow:
        with pytest.raises(RuntimeError, match="cannot commit"):
            await uow.commit()
