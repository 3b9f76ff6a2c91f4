"""Work that must run in order per key, a few keys at a time, security events first.

Why: the activity inbox (per meeting chat), the calls inbox (per call) and the organiser's
emails about recording (per meeting) each need one key's work done one piece at a time, in
the order it came, without letting a busy key or a flood of keys hold back what matters. A
stranger joining must switch recording off at once, even while files and commands pour in:
so work has a priority, and high-priority work is started before any low-priority work that
waits, and never waits for the foreground rule (`bot.foreground`), which low-priority work
still obeys.

What `SerialQueue` guarantees:
- Per key, work runs one piece at a time, in the order it was queued.
- At most `at_once` pieces (so keys) run at a time, and `extra_for_high` more whose key's next
  piece is itself high priority: a security event is not kept waiting while every place is
  taken by files, even files that were lifted.
- When a place is free, the key whose next piece has the highest priority goes first; among
  equals, the one whose caller has least of its work waiting behind it (so a stranger joining
  a quiet meeting goes before the joins and leaves in meetings with a backlog, each of which
  waits its turn behind the flood's answers for the store), then the one queued first. A key
  whose next piece is low priority but with high-priority work behind it runs that piece
  lifted (priority inheritance: a join waiting behind a file in the same chat lifts the file,
  so it never waits for low-priority turns); lifted work goes after every key whose next piece
  is itself high priority. `lift` lifts a
  key's work for high-priority work its caller knows is coming. Why three levels: under a
  flood, every busy chat has a join somewhere in its backlog, so every file is lifted; were
  lifted work equal to a security event, a stranger joining a quiet meeting would queue behind
  every busy chat's files.
- Low-priority work awaits `low_turn` before it starts (one turn, one piece); lifted and
  high-priority work never do.
- High-priority and lifted work runs as urgent work (`domain.urgency`), so its writes are
  handed SQLite's writer before other work's (`consent_store.writer`); low-priority work,
  even when queued from within urgent work, runs as work that is not urgent.
- A piece that fails is counted (`iass.queue.failures`, by queue and the failure's type) and its
  key's next piece runs. `run` raises the failure to its caller, who logs it with what it
  knows; `submit`'s failures are logged here, by type only (a message can carry names).
- A `run` whose caller is cancelled while it waits leaves the queue; one cancelled while it
  runs gives its place up. `close` takes nothing new on, drops what has not started, waits
  `grace_seconds` for what runs and cancels the rest (the SIGTERM path).

Pure asyncio: no I/O, no clock but the event loop's.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Generic, TypeVar

from bot import instruments
from domain.urgency import working

log = logging.getLogger(__name__)

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


class Priority(IntEnum):
    """Lower values go first."""

    HIGH = 0
    """Security events: someone joining or leaving, a roster, a call's state, an objection, a
    recording seen."""
    LIFTED = 1
    """Low-priority work with a security event behind it in its key, which must not wait."""
    LOW = 2
    """Everything else: files, commands, status, notices."""


class QueueClosed(Exception):
    """The queue was closed before this work started."""


@dataclass(eq=False)
class _Waiter:
    order: int
    priority: Priority
    granted: asyncio.Future[None]
    behind: int = 0
    """How much of its key's work its caller has waiting behind it."""


@dataclass(eq=False)
class _Key:
    waiters: deque[_Waiter] = field(default_factory=deque)
    high: int = 0
    """How many of `waiters` are high-priority or lifted."""
    running: bool = False

    @property
    def priority(self) -> Priority:
        """The priority the key's next piece runs at: its own if high, lifted if anything
        high-priority or lifted is queued for the key, otherwise low."""
        if self.waiters and self.waiters[0].priority is Priority.HIGH:
            return Priority.HIGH
        return Priority.LIFTED if self.high else Priority.LOW


class SerialQueue(Generic[K]):
    """In order per key, `at_once` keys at a time (and `extra_for_high` more for security
    events), high priority first. `name` names the queue in the log and the failure counter;
    `low_turn` is what low-priority work awaits before it starts (None: it does not wait)."""

    def __init__(
        self,
        name: str,
        *,
        at_once: int,
        extra_for_high: int = 0,
        low_turn: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        if at_once < 1 or extra_for_high < 0:
            raise ValueError("a queue runs at least one piece at a time")
        self._name = name
        self._at_once = at_once
        self._extra_for_high = extra_for_high
        self._low_turn = low_turn
        self._keys: dict[K, _Key] = {}
        self._ready: list[tuple[Priority, int, int, K]] = []
        """Keys not running with work waiting, by (priority, work waiting behind the next
        piece, order of the next piece); entries that no longer match their key are skipped."""
        self._orders = itertools.count()
        self._running = 0
        self._waiting = 0
        self._low_ticket = False
        self._turn: asyncio.Task[None] | None = None
        self._submitted: set[asyncio.Task[None]] = set()
        self._empty = asyncio.Event()
        self._empty.set()
        self._closed = False

    @property
    def running(self) -> int:
        """How many pieces are running."""
        return self._running

    @property
    def waiting(self) -> int:
        """How many pieces wait to start."""
        return self._waiting

    async def run(
        self, key: K, priority: Priority, work: Callable[[], Awaitable[T]], *, behind: int = 0
    ) -> T:
        """Run `work` in its turn and return what it returns; raises what it raised (counted),
        or `QueueClosed` if the queue closed before its turn. `behind` is how much of the
        key's work the caller has waiting behind this piece (an inbox's batch): among keys of
        equal priority, the one with least behind goes first."""
        waiter = self._enqueue(key, priority, behind)
        return await self._hold(key, waiter, work)

    def submit(self, key: K, priority: Priority, work: Callable[[], Awaitable[object]]) -> None:
        """Queue `work` and return at once; a failure is logged (by type) and counted."""
        waiter = self._enqueue(key, priority)
        task = asyncio.create_task(self._run_submitted(key, waiter, work))
        self._submitted.add(task)
        task.add_done_callback(self._submitted.discard)

    def lift(self, key: K) -> None:
        """Lift the low-priority work waiting for `key`: a security event for the key is on its
        way (such as one stored and not yet queued), and must not wait behind low-priority turns."""
        state = self._keys.get(key)
        if state is None or state.high == len(state.waiters):
            return
        before = state.priority
        for waiter in state.waiters:
            if waiter.priority is Priority.LOW:
                waiter.priority = Priority.LIFTED
        state.high = len(state.waiters)
        if state.priority is not before and not state.running:
            self._mark_ready(key, state)
        self._pump()

    async def idle(self) -> None:
        """Wait until nothing waits and nothing runs."""
        await self._empty.wait()

    async def close(self, grace_seconds: float = 0.0) -> None:
        """Take nothing new on and drop what has not started (a `run` waiting raises
        `QueueClosed`); wait up to `grace_seconds` for what runs, then cancel what `submit`
        started and is still running. A `run` in progress belongs to its caller, who stops it."""
        self._closed = True
        self._stop_turn()
        for state in self._keys.values():
            for waiter in state.waiters:
                if not waiter.granted.done():
                    waiter.granted.set_exception(QueueClosed(self._name))
            self._waiting -= len(state.waiters)
            state.waiters.clear()
            state.high = 0
        self._ready.clear()
        self._forget_empty_keys()
        self._note_empty()
        submitted = list(self._submitted)
        if submitted:
            busy = set(submitted)
            if grace_seconds > 0:
                _finished, busy = await asyncio.wait(submitted, timeout=grace_seconds)
            for task in busy:
                task.cancel()
            await asyncio.gather(*submitted, return_exceptions=True)

    def _enqueue(self, key: K, priority: Priority, behind: int = 0) -> _Waiter:
        if self._closed:
            raise QueueClosed(self._name)
        waiter = _Waiter(
            next(self._orders), priority, asyncio.get_running_loop().create_future(), behind
        )
        state = self._keys.setdefault(key, _Key())
        before = state.priority
        state.waiters.append(waiter)
        state.high += priority is not Priority.LOW
        self._waiting += 1
        self._empty.clear()
        if not state.running and (len(state.waiters) == 1 or state.priority is not before):
            self._mark_ready(key, state)
        self._pump()
        return waiter

    async def _hold(self, key: K, waiter: _Waiter, work: Callable[[], Awaitable[T]]) -> T:
        try:
            await waiter.granted
        except asyncio.CancelledError:
            if waiter.granted.done() and not waiter.granted.cancelled():
                self._release(key)
            else:
                self._withdraw(key, waiter)
            raise
        try:
            with working(urgent=waiter.priority is not Priority.LOW):
                return await work()
        except Exception as error:
            instruments.queue_work_failed(self._name, type(error).__name__)
            raise
        finally:
            self._release(key)

    async def _run_submitted(
        self, key: K, waiter: _Waiter, work: Callable[[], Awaitable[object]]
    ) -> None:
        try:
            await self._hold(key, waiter, work)
        except QueueClosed:
            pass
        except Exception as error:  # noqa: BLE001 (counted in _hold; nobody else can see it)
            log.error("%s: a piece of work failed: %s", self._name, type(error).__name__)  # noqa: TRY400 (a traceback would show the message)

    def _mark_ready(self, key: K, state: _Key) -> None:
        head = state.waiters[0]
        heapq.heappush(self._ready, (state.priority, head.behind, head.order, key))

    def _next_ready(self) -> tuple[Priority, K] | None:
        """The key to start next (left at the top of `_ready`), dropping entries that no longer
        match their key."""
        while self._ready:
            priority, _behind, order, key = self._ready[0]
            state = self._keys.get(key)
            if (
                state is not None
                and not state.running
                and state.waiters
                and state.waiters[0].order == order
                and state.priority is priority
            ):
                return priority, key
            heapq.heappop(self._ready)
        return None

    def _pump(self) -> None:
        """Start what may start: the best key first, security events also in the extra places,
        low-priority work only on a turn."""
        while True:
            found = self._next_ready()
            if found is None:
                break
            priority, key = found
            places = self._at_once + (self._extra_for_high if priority is Priority.HIGH else 0)
            if self._running >= places:
                break
            if priority is Priority.LOW and self._low_turn is not None and not self._low_ticket:
                self._await_turn()
                return
            heapq.heappop(self._ready)
            if priority is Priority.LOW:
                self._low_ticket = False
            self._start(key)
        if not self._waiting:
            self._stop_turn()
            self._low_ticket = False

    def _start(self, key: K) -> None:
        state = self._keys[key]
        waiter = state.waiters.popleft()
        state.high -= waiter.priority is not Priority.LOW
        state.running = True
        self._waiting -= 1
        self._running += 1
        waiter.granted.set_result(None)

    def _await_turn(self) -> None:
        if self._turn is None and self._low_turn is not None:
            self._turn = asyncio.create_task(self._take_turn(self._low_turn))

    async def _take_turn(self, low_turn: Callable[[], Awaitable[None]]) -> None:
        await low_turn()
        self._turn = None
        self._low_ticket = True
        self._pump()

    def _stop_turn(self) -> None:
        turn, self._turn = self._turn, None
        if turn is not None:
            turn.cancel()

    def _withdraw(self, key: K, waiter: _Waiter) -> None:
        """A waiter whose caller was cancelled before its turn leaves the queue."""
        state = self._keys.get(key)
        if state is None or waiter not in state.waiters:
            return
        was_head = state.waiters[0] is waiter
        before = state.priority
        state.waiters.remove(waiter)
        state.high -= waiter.priority is not Priority.LOW
        self._waiting -= 1
        if state.waiters and not state.running and (was_head or state.priority is not before):
            self._mark_ready(key, state)
        self._forget_empty_keys(key)
        self._note_empty()
        self._pump()

    def _release(self, key: K) -> None:
        state = self._keys[key]
        state.running = False
        self._running -= 1
        if state.waiters and not self._closed:
            self._mark_ready(key, state)
        self._forget_empty_keys(key)
        self._note_empty()
        self._pump()

    def _forget_empty_keys(self, *keys: K) -> None:
        for key in keys or list(self._keys):
            state = self._keys.get(key)
            if state is not None and not state.running and not state.waiters:
                del self._keys[key]

    def _note_empty(self) -> None:
        if not self._waiting and not self._running:
            self._empty.set()
