"""The serial queue the inboxes and the organiser's notices share: per key in order, a bounded
number at a time, high priority first, then a key's next piece lifted by high-priority work
behind it, extra places for security events when lifted work holds every place, low priority
alone waiting for the foreground rule, nothing starved once high-priority
work stops, a failure counted and never stopping its key, and a clean close."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import instruments
from bot.foreground import Foreground
from bot.serial_queue import Priority, QueueClosed, SerialQueue
from domain.urgency import Urgency, urgency
from tests.telemetry.recorded import recording

KEYS = st.sampled_from(["a", "b", "c", "d", "e"])
PRIORITIES = st.sampled_from(list(Priority))
PIECES = st.lists(
    st.tuples(KEYS, PRIORITIES, st.integers(min_value=0, max_value=3)), min_size=1, max_size=40
)


@dataclass
class Trace:
    """What the pieces did: the order they started in, and checks made as each ran."""

    started: list[int] = field(default_factory=list)
    running_keys: set[str] = field(default_factory=set)
    most_running: int = 0
    overlapped: bool = False

    def work(self, index: int, key: str, yields: int) -> Callable[[], Awaitable[None]]:
        async def piece() -> None:
            if key in self.running_keys:
                self.overlapped = True
            self.running_keys.add(key)
            self.started.append(index)
            self.most_running = max(self.most_running, len(self.running_keys))
            for _ in range(yields):
                await asyncio.sleep(0)
            self.running_keys.discard(key)

        return piece


@settings(max_examples=200, deadline=None)
@given(
    pieces=PIECES,
    at_once=st.integers(min_value=1, max_value=4),
    extra=st.integers(min_value=0, max_value=2),
)
def test_each_key_runs_in_order_one_at_a_time_within_the_bound(
    pieces: list[tuple[str, Priority, int]], at_once: int, extra: int
) -> None:
    async def scenario() -> Trace:
        queue: SerialQueue[str] = SerialQueue("test", at_once=at_once, extra_for_high=extra)
        trace = Trace()
        for index, (key, priority, yields) in enumerate(pieces):
            queue.submit(key, priority, trace.work(index, key, yields))
            if yields == 3:
                await asyncio.sleep(0)
        await queue.idle()
        return trace

    trace = asyncio.run(scenario())

    assert sorted(trace.started) == list(range(len(pieces)))
    assert not trace.overlapped
    assert trace.most_running <= at_once + extra
    for key in {key for key, _, _ in pieces}:
        mine = [i for i, (k, _, _) in enumerate(pieces) if k == key]
        assert [i for i in trace.started if pieces[i][0] == key] == mine


def expected_order(pieces: list[tuple[str, Priority, int]]) -> list[int]:
    """One at a time, everything queued first: a key whose next piece is high priority goes
    first; then a key with high-priority or lifted work queued (its next piece lifted); then
    the rest; among equals, the one whose next piece was queued earliest."""
    queues: dict[str, list[int]] = {}
    for index, (key, _, _) in enumerate(pieces):
        queues.setdefault(key, []).append(index)
    order = []
    while queues:

        def rank(key: str) -> tuple[int, int]:
            head = pieces[queues[key][0]][1]
            if head is Priority.HIGH:
                return Priority.HIGH, queues[key][0]
            lifted = any(pieces[i][1] is not Priority.LOW for i in queues[key])
            return (Priority.LIFTED if lifted else Priority.LOW), queues[key][0]

        key = min(queues, key=rank)
        order.append(queues[key].pop(0))
        if not queues[key]:
            del queues[key]
    return order


@settings(max_examples=200, deadline=None)
@given(pieces=PIECES)
def test_high_priority_goes_before_low_priority_waiting(
    pieces: list[tuple[str, Priority, int]],
) -> None:
    async def scenario() -> list[int]:
        queue: SerialQueue[str] = SerialQueue("test", at_once=1)
        trace = Trace()
        held = asyncio.Event()
        queue.submit("holder", Priority.HIGH, held.wait)
        for index, (key, priority, yields) in enumerate(pieces):
            queue.submit(key, priority, trace.work(index, key, yields))
        held.set()
        await queue.idle()
        return trace.started

    assert asyncio.run(scenario()) == expected_order(pieces)


@settings(max_examples=50, deadline=None)
@given(
    lows=st.integers(min_value=1, max_value=10),
    highs=st.integers(min_value=1, max_value=30),
    at_once=st.integers(min_value=1, max_value=3),
)
def test_low_priority_work_all_runs_once_high_priority_work_stops(
    lows: int, highs: int, at_once: int
) -> None:
    async def scenario() -> int:
        queue: SerialQueue[str] = SerialQueue("test", at_once=at_once, low_turn=Foreground().turn)
        done: list[str] = []

        def piece(name: str) -> Callable[[], Awaitable[None]]:
            async def note() -> None:
                await asyncio.sleep(0)
                done.append(name)

            return note

        for n in range(lows):
            queue.submit(f"low-{n}", Priority.LOW, piece(f"low-{n}"))
        for n in range(highs):
            queue.submit(f"high-{n % 4}", Priority.HIGH, piece(f"high-{n}"))
            await asyncio.sleep(0)
        await asyncio.wait_for(queue.idle(), 5)
        return sum(name.startswith("low") for name in done)

    assert asyncio.run(scenario()) == lows


@settings(max_examples=100, deadline=None)
@given(pieces=PIECES, failing=st.sets(st.integers(min_value=0, max_value=39)))
def test_a_failure_is_counted_and_its_key_goes_on(
    pieces: list[tuple[str, Priority, int]], failing: set[int]
) -> None:
    ran: list[int] = []

    async def scenario() -> None:
        queue: SerialQueue[str] = SerialQueue("test", at_once=2)

        def work(index: int) -> Callable[[], Awaitable[None]]:
            async def piece() -> None:
                ran.append(index)
                await asyncio.sleep(0)
                if index in failing:
                    raise ConnectionError("Graph could not be reached for Jordan Example")

            return piece

        for index, (key, priority, _) in enumerate(pieces):
            queue.submit(key, priority, work(index))
        await queue.idle()

    with recording() as recorded:
        asyncio.run(scenario())
        failed = recorded.value(
            instruments.QUEUE_FAILURES, {"iass.queue": "test", "error.type": "ConnectionError"}
        )

    assert sorted(ran) == list(range(len(pieces)))
    assert failed == len(failing & set(range(len(pieces))))


async def test_a_failure_is_logged_by_its_type_only(caplog: pytest.LogCaptureFixture) -> None:
    queue: SerialQueue[str] = SerialQueue("organiser_notices", at_once=1)

    async def fails() -> None:
        raise ConnectionError("mail to jordan@example.org failed")

    queue.submit("meeting", Priority.LOW, fails)
    await queue.idle()

    assert "organiser_notices: a piece of work failed: ConnectionError" in caplog.text
    assert "jordan" not in caplog.text


async def test_run_returns_what_the_work_returns_and_raises_what_it_raised() -> None:
    queue: SerialQueue[str] = SerialQueue("test", at_once=1)

    async def answer() -> int:
        return 42

    async def fails() -> None:
        raise LookupError("no such meeting")

    assert await queue.run("a", Priority.LOW, answer) == 42
    with pytest.raises(LookupError):
        await queue.run("a", Priority.HIGH, fails)
    assert await queue.run("a", Priority.LOW, answer) == 42


async def test_only_low_priority_work_waits_for_the_requests_being_answered() -> None:
    foreground = Foreground(busy_turn_seconds=60)
    queue: SerialQueue[str] = SerialQueue("test", at_once=4, low_turn=foreground.turn)
    done: list[str] = []

    async def note(name: str) -> None:
        done.append(name)

    with foreground.answering():
        await foreground.turn()
        queue.submit("files", Priority.LOW, lambda: note("file"))
        queue.submit("joins", Priority.HIGH, lambda: note("join"))
        await asyncio.sleep(0.2)
        assert done == ["join"]
    await asyncio.wait_for(queue.idle(), 1)
    assert done == ["join", "file"]


async def test_high_priority_behind_low_in_the_same_key_lifts_it_past_the_foreground() -> None:
    foreground = Foreground(busy_turn_seconds=60)
    queue: SerialQueue[str] = SerialQueue("test", at_once=4, low_turn=foreground.turn)
    done: list[str] = []

    async def note(name: str) -> None:
        done.append(name)

    with foreground.answering():
        await foreground.turn()
        queue.submit("chat", Priority.LOW, lambda: note("file"))
        queue.submit("other chat", Priority.LOW, lambda: note("other file"))
        queue.submit("chat", Priority.HIGH, lambda: note("join"))
        await asyncio.sleep(0.2)
        assert done == ["file", "join"]
    await asyncio.wait_for(queue.idle(), 1)
    assert done == ["file", "join", "other file"]


async def test_a_lifted_key_goes_past_the_foreground() -> None:
    foreground = Foreground(busy_turn_seconds=60)
    queue: SerialQueue[str] = SerialQueue("test", at_once=4, low_turn=foreground.turn)
    done: list[str] = []

    async def note(name: str) -> None:
        done.append(name)

    with foreground.answering():
        await foreground.turn()
        queue.submit("chat", Priority.LOW, lambda: note("file"))
        queue.submit("other chat", Priority.LOW, lambda: note("other file"))
        await asyncio.sleep(0.1)
        queue.lift("chat")
        queue.lift("no such chat")
        await asyncio.sleep(0.1)
        assert done == ["file"]
    await asyncio.wait_for(queue.idle(), 1)
    assert done == ["file", "other file"]


async def test_a_join_in_a_quiet_chat_starts_while_lifted_files_hold_every_place() -> None:
    queue: SerialQueue[str] = SerialQueue("test", at_once=2, extra_for_high=1)
    release = asyncio.Event()
    started: list[str] = []

    async def hold(name: str) -> None:
        started.append(name)
        await release.wait()

    for chat in ("busy 1", "busy 2", "busy 3"):
        queue.submit(chat, Priority.LIFTED, lambda chat=chat: hold(f"file in {chat}"))
        queue.submit(chat, Priority.HIGH, lambda chat=chat: hold(f"join in {chat}"))
    queue.submit("quiet", Priority.HIGH, lambda: hold("stranger's join"))
    queue.submit("quieter", Priority.HIGH, lambda: hold("another join"))
    await asyncio.sleep(0.05)
    assert started == ["file in busy 1", "file in busy 2", "stranger's join"]
    release.set()
    await asyncio.wait_for(queue.idle(), 1)
    assert started[3] == "join in busy 1"
    assert started.index("another join") < started.index("file in busy 3")


async def test_among_security_events_the_one_with_least_behind_it_goes_first() -> None:
    """A stranger's join in a quiet meeting goes before the joins and leaves of meetings with
    a backlog, however long those have waited; among equals, the first queued goes first."""
    queue: SerialQueue[str] = SerialQueue("test", at_once=1)
    release = asyncio.Event()
    started: list[str] = []

    async def hold(name: str) -> None:
        started.append(name)
        await release.wait()

    def queued(chat: str, name: str, behind: int) -> asyncio.Task[None]:
        return asyncio.create_task(
            queue.run(chat, Priority.HIGH, lambda: hold(name), behind=behind)
        )

    running = queued("busy 0", "leave in busy 0", 3)
    await asyncio.sleep(0)
    waiting = [
        queued("busy 1", "join in busy 1", 12),
        queued("busy 2", "leave in busy 2", 4),
        queued("busy 3", "join in busy 3", 4),
        queued("quiet", "stranger's join", 0),
    ]
    await asyncio.sleep(0.01)
    release.set()
    await asyncio.wait_for(asyncio.gather(running, *waiting), 1)
    assert started == [
        "leave in busy 0",
        "stranger's join",
        "leave in busy 2",
        "join in busy 3",
        "join in busy 1",
    ]


async def test_a_run_cancelled_while_it_waits_leaves_the_queue() -> None:
    queue: SerialQueue[str] = SerialQueue("test", at_once=1)
    held = asyncio.Event()
    done: list[str] = []

    async def note(name: str) -> None:
        done.append(name)

    queue.submit("a", Priority.LOW, held.wait)
    waiting = asyncio.create_task(queue.run("b", Priority.HIGH, lambda: note("cancelled")))
    queue.submit("c", Priority.LOW, lambda: note("after"))
    await asyncio.sleep(0)
    waiting.cancel()
    held.set()
    await asyncio.wait_for(queue.idle(), 1)

    assert waiting.cancelled()
    assert done == ["after"]
    assert queue.waiting == queue.running == 0


async def test_closing_drops_what_waits_and_cancels_what_outlives_the_grace() -> None:
    queue: SerialQueue[str] = SerialQueue("test", at_once=2)
    finished: list[str] = []

    async def quick() -> None:
        await asyncio.sleep(0.01)
        finished.append("quick")

    async def slow() -> None:
        await asyncio.sleep(60)
        finished.append("slow")

    queue.submit("a", Priority.LOW, quick)
    queue.submit("b", Priority.LOW, slow)
    queue.submit("a", Priority.HIGH, quick)
    waiting = asyncio.create_task(queue.run("c", Priority.HIGH, quick))
    await asyncio.sleep(0)

    await asyncio.wait_for(queue.close(grace_seconds=0.2), 1)

    assert finished == ["quick"]
    with pytest.raises(QueueClosed):
        await waiting
    with pytest.raises(QueueClosed):
        queue.submit("a", Priority.HIGH, quick)
    assert queue.waiting == queue.running == 0


def test_a_queue_runs_something() -> None:
    with pytest.raises(ValueError, match="at least one"):
        SerialQueue[str]("test", at_once=0)


async def test_security_work_runs_as_urgent_and_notices_it_queues_do_not() -> None:
    """High-priority and lifted pieces run as urgent work, so their writes are handed SQLite's
    writer first; a low-priority piece does not, even one queued from within urgent work (the
    warnings a switch leaves behind)."""
    queue: SerialQueue[str] = SerialQueue("meeting_activities", at_once=2)
    notices: SerialQueue[str] = SerialQueue("recording_notices", at_once=1)
    seen: dict[str, Urgency] = {}

    def noting(name: str) -> Callable[[], Awaitable[None]]:
        async def piece() -> None:
            seen[name] = urgency()

        return piece

    async def join() -> None:
        seen["join"] = urgency()
        notices.submit("meeting", Priority.LOW, noting("warning"))

    await queue.run("chat-1", Priority.HIGH, join)
    await queue.run("chat-2", Priority.LIFTED, noting("lifted file"))
    await queue.run("chat-3", Priority.LOW, noting("file"))
    await notices.idle()
    assert seen == {
        "join": Urgency.URGENT,
        "lifted file": Urgency.URGENT,
        "file": Urgency.ROUTINE,
        "warning": Urgency.ROUTINE,
    }
    assert urgency() is Urgency.ROUTINE
