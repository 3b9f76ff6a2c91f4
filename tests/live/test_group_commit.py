"""The group commit the inboxes store through: what is handed in while a write is under way goes
in the next write together; with room for more writes at once (PostgreSQL), a caller starts
its own at once, and only those beyond the bound wait; a failed write fails every caller in it
and no other; a caller who stops waiting neither stops the writer nor the callers after it;
and a writer cancelled mid-write (the process stopping) cancels every caller instead of
leaving them waiting for ever."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from bot.group_commit import GroupCommit


class Writes:
    """Records each batch; each write waits for `gate` before it lands, and a batch holding
    `poison` fails."""

    def __init__(self, poison: str | None = None) -> None:
        self.batches: list[list[str]] = []
        self.started = 0
        self.gate = asyncio.Event()
        self.gate.set()
        self.writing = asyncio.Event()
        self.poison = poison

    async def write(self, batch: Sequence[str]) -> None:
        self.started += 1
        self.writing.set()
        await self.gate.wait()
        if self.poison in batch:
            raise OSError("the store went away")
        self.batches.append(list(batch))


async def test_what_arrives_during_a_write_goes_in_the_next_one_together() -> None:
    writes = Writes()
    writes.gate.clear()
    commit = GroupCommit(writes.write, at_once=1)
    first = asyncio.create_task(commit.add("a"))
    await writes.writing.wait()
    later = [asyncio.create_task(commit.add(item)) for item in ("b", "c", "d")]
    await asyncio.sleep(0)
    assert not any(task.done() for task in (first, *later))
    writes.gate.set()
    await asyncio.gather(first, *later)
    assert writes.batches == [["a"], ["b", "c", "d"]]


async def test_a_failed_write_fails_its_callers_only_and_the_next_write_goes_on() -> None:
    writes = Writes(poison="bad")
    writes.gate.clear()
    commit = GroupCommit(writes.write, at_once=1)
    first = asyncio.create_task(commit.add("a"))
    await writes.writing.wait()
    doomed = [asyncio.create_task(commit.add(item)) for item in ("bad", "b")]
    await asyncio.sleep(0)
    writes.gate.set()
    await first
    for task in doomed:
        with pytest.raises(OSError, match="went away"):
            await task
    await commit.add("c")
    assert writes.batches == [["a"], ["c"]]


async def test_a_caller_who_stops_waiting_does_not_stop_the_others() -> None:
    writes = Writes()
    writes.gate.clear()
    commit = GroupCommit(writes.write, at_once=1)
    impatient = asyncio.create_task(commit.add("a"))
    await writes.writing.wait()
    patient = asyncio.create_task(commit.add("b"))
    await asyncio.sleep(0)
    impatient.cancel()
    await asyncio.sleep(0)
    writes.gate.set()
    await patient
    assert writes.batches == [["a"], ["b"]]


async def test_a_writer_cancelled_mid_write_cancels_every_caller() -> None:
    writes = Writes()
    writes.gate.clear()
    commit = GroupCommit(writes.write, at_once=1)
    in_write = asyncio.create_task(commit.add("a"))
    await writes.writing.wait()
    waiting = asyncio.create_task(commit.add("b"))
    await asyncio.sleep(0)
    (writer,) = commit._writes
    writer.cancel()
    results = await asyncio.wait_for(
        asyncio.gather(in_write, waiting, return_exceptions=True), timeout=5
    )
    assert all(isinstance(result, asyncio.CancelledError) for result in results)
    writes.gate.set()
    await commit.add("c")
    assert writes.batches == [["c"]]


async def test_with_room_for_more_writes_a_caller_does_not_wait_for_the_one_under_way() -> None:
    writes = Writes()
    writes.gate.clear()
    commit = GroupCommit(writes.write, at_once=2)
    first = asyncio.create_task(commit.add("a"))
    await writes.writing.wait()
    second = asyncio.create_task(commit.add("b"))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert writes.started == 2
    beyond = [asyncio.create_task(commit.add(item)) for item in ("c", "d")]
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert writes.started == 2
    writes.gate.set()
    await asyncio.gather(first, second, *beyond)
    assert sorted(writes.batches) == [["a"], ["b"], ["c", "d"]]


def test_a_group_commit_must_allow_a_write() -> None:
    with pytest.raises(ValueError, match="at least one"):
        GroupCommit(Writes().write, at_once=0)
