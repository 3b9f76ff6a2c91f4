"""The meeting activity inbox: Teams is answered once an activity is safely stored, and the
in-meeting use cases handle it behind that, in order per meeting chat.

Why: Teams waits for the bot's answer, and the guards' work (Graph round trips, notices,
commits) is many times the cost of taking an activity in. Stored first, nothing is lost if
the bot stops half-way: what was not handled is handled when an instance starts again (at
least once; the use cases tolerate a repeat). Nothing of an activity is kept once it is
handled, and until then its people's and files' names are sealed like every personal value.

How: `accept` hands the activity to a writer that stores everything that arrived meanwhile
in one transaction (`bot.group_commit`, written before urgent work: every answer waits for it),
and returns once that has committed; then it wakes this instance's worker for the chat. A
chat with no worker here is taken on in that transaction: its lease taken and its first
batch read, so its worker starts without waiting for the store again (on SQLite, the writer
is the queue a stranger's join waits in under a flood). A worker holds the chat's lease while
it handles the chat's activities oldest first, a batch at a time (forgetting a batch and
renewing the lease in one transaction, and ending a batch early once half the lease has
gone), and gives the lease up when the chat has nothing left. Each activity is handled
through the inbox's serial queue (`bot.serial_queue`): at most `CHATS_AT_ONCE` at a time (and
`EXTRA_FOR_SECURITY` more whose chat's next activity is a security event), so a burst of
activities is answered promptly and handled at a steady pace, and Graph is not flooded; and
security events first, lifting the files ahead of them in their own chat
(`bot.activity_priority`). Every few seconds a sweep looks for chats with activities waiting
and no live lease (an instance stopped, or gave its lease up just as another instance stored
something) and takes them on. A failed activity stops its chat until the next sweep (the
backoff) and is tried again; after `MAX_ATTEMPTS` it is dropped, audited and logged, and the
chat goes on, so one poisoned activity cannot stop a meeting's guards for good. Answers come
first for low-priority work: before each posted file (not lifted by a security event behind
it) the queue waits for its turn around the requests the bot is answering (`bot.foreground`);
security events never wait for it. A chat with a security event waiting reads its next batch
as urgent work (`domain.urgency`), and the security event and what is lifted ahead of it are
handled as urgent work, so on SQLite their writes are handed the store's one writer before
the flood's.

Stopping (on SIGTERM) takes nothing new on: each worker finishes the activity in hand, forgets
what it has handled and gives its chat's lease up in one transaction, so the next instance to
take the chat on goes on from there without repeating any of it. A worker still busy after
`STOP_GRACE_SECONDS` is cancelled; its activity is handled again (at least once).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Sequence
from datetime import timedelta
from functools import partial
from typing import Protocol

from bot import instruments
from bot.activity_priority import SECURITY_KINDS, UrgentChats
from bot.foreground import Foreground
from bot.group_commit import GroupCommit
from bot.serial_queue import SerialQueue
from bot.services.meeting_activity import MeetingActivity, decoded, encoded
from bot.sweeping import sweep_forever
from consent_store.audit import AuditEvent
from consent_store.meeting_activities import (
    PAYLOAD_COLUMN,
    Arrival,
    WaitingActivity,
)
from consent_store.readiness import STORE_FAILURES
from consent_store.repository import new_id
from consent_store.unit_of_work import Store, UnitOfWork
from domain.urgency import answering, working

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
LEASE = timedelta(seconds=60)
SWEEP_SECONDS = 5.0
BATCH = 20
CHATS_AT_ONCE = 4
"""How many activities (so chats) are handled at a time."""
EXTRA_FOR_SECURITY = 4
"""How many more may run at once when their chat's next activity is itself a security event."""
STOP_GRACE_SECONDS = 10.0
"""How long stopping waits for the activities in hand: well within the 30 s a platform gives
a stopping process (gunicorn's `--graceful-timeout 25` in docs/deploy.md)."""


class ActivityHandler(Protocol):
    async def handle(self, thread_id: str, activity: MeetingActivity) -> None:
        """Handle one activity of the meeting chat `thread_id`."""


_SEQUENCE = itertools.count()
"""The order this process took activities in, for those stored at the same moment."""

_Incoming = tuple[str, str, str]
"""An activity on its way to the store: its chat, kind and JSON payload."""


class MeetingActivityInbox:
    def __init__(
        self,
        store: Store,
        holder: str,
        *,
        lease: timedelta = LEASE,
        sweep_seconds: float = SWEEP_SECONDS,
        chats_at_once: int = CHATS_AT_ONCE,
        foreground: Foreground | None = None,
    ) -> None:
        self._store = store
        self._foreground = foreground or Foreground()
        self._holder = holder
        self._lease = lease
        self._sweep_seconds = sweep_seconds
        self._queue: SerialQueue[str] = SerialQueue(
            instruments.MEETING_ACTIVITIES,
            at_once=chats_at_once,
            extra_for_high=EXTRA_FOR_SECURITY,
            low_turn=self._foreground.turn,
        )
        self._urgent = UrgentChats()
        self._handler: ActivityHandler | None = None
        self._stopping = False
        self._sweeper: asyncio.Task[None] | None = None
        self._swept = asyncio.Event()
        self._incoming: GroupCommit[_Incoming] = GroupCommit(self._store_batch, at_once=1)
        """One write at a time, whatever the store: each takes on the chats it stores for
        (`_taking`), which a write beside it could take on too."""
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._again: set[str] = set()
        self._first: dict[str, Sequence[WaitingActivity]] = {}
        """Per chat taken on as its activities were stored (`_take_on`), the first batch its
        worker handles."""
        self._taking: set[str] = set()
        """The chats being taken on in the transaction under way: no worker starts for them
        until it has ended, so none reads their activities before their first batch is
        known."""

    async def accept(self, thread_id: str, activity: MeetingActivity) -> None:
        """Store the activity; it is handled after this returns (once `start` has run).
        Raises what storing it raised, and then nothing is stored."""
        kind, payload = encoded(activity)
        await self._incoming.add((thread_id, kind, payload))
        self._wake(thread_id)

    async def _store_batch(self, batch: Sequence[_Incoming]) -> None:
        """Store what arrived meanwhile, before urgent work (`domain.urgency`): Teams waits
        for these answers (and sends again what is answered late), and a security event among
        them is not safe until it is stored."""
        try:
            with answering():
                async with self._store.unit_of_work() as uow:
                    arrivals = []
                    for thread_id, kind, payload in batch:
                        activity_id = new_id()
                        sealed = self._store.seal(payload, *PAYLOAD_COLUMN, activity_id)
                        arrivals.append(
                            Arrival(activity_id, next(_SEQUENCE), thread_id, kind, sealed)
                        )
                    await uow.activities.add(arrivals, uow.now())
                    self._taking = self._chats_without_workers({a.thread_id for a in arrivals})
                    first = await self._take_on(uow, self._taking)
                    await uow.commit()
            self._first.update(first)
        finally:
            taken, self._taking = self._taking, set()
            for thread_id in taken & self._again:
                self._wake(thread_id)
        for arrival in arrivals:
            if arrival.kind in SECURITY_KINDS:
                self._urgent.stored(arrival.thread_id, arrival.id)
                self._queue.lift(arrival.thread_id)

    def _chats_without_workers(self, chats: set[str]) -> set[str]:
        """Those of `chats` this instance would start a worker for (none once stopping), and
        has not already taken on."""
        if self._handler is None or self._stopping:
            return set()
        return chats - self._workers.keys() - self._first.keys()

    async def _take_on(
        self, uow: UnitOfWork, chats: set[str]
    ) -> dict[str, Sequence[WaitingActivity]]:
        """In the transaction storing their activities: take the lease of each of `chats`
        and read its first batch, so its worker starts at once without waiting for the
        store's writer again (on SQLite, under a flood, that wait was most of a stranger's
        time to the switch). A chat another instance holds is left to it."""
        first: dict[str, Sequence[WaitingActivity]] = {}
        now = uow.now()
        for thread_id in chats:
            if await uow.activities.claim(thread_id, self._holder, now, now + self._lease):
                first[thread_id] = await uow.activities.waiting(thread_id, BATCH)
        return first

    def start(self, handler: ActivityHandler) -> None:
        """Handle what is stored, and what comes, with `handler`."""
        self._handler = handler
        self._stopping = False
        self._sweeper = asyncio.create_task(
            sweep_forever(self.sweep, self._swept, self._sweep_seconds, "activity inbox")
        )

    async def stop(self, grace_seconds: float = STOP_GRACE_SECONDS) -> None:
        """Take nothing new on, let each worker finish the activity in hand and forget what it
        handled (cancelling any still busy after `grace_seconds`), and give up this instance's
        leases; what was not handled stays stored for the next start."""
        self._stopping = True
        sweeper, self._sweeper = self._sweeper, None
        if sweeper is not None:
            sweeper.cancel()
        workers = list(self._workers.values())
        if workers:
            _finished, busy = await asyncio.wait(workers, timeout=grace_seconds)
            for task in busy:
                task.cancel()
        await asyncio.gather(*workers, *([sweeper] if sweeper else []), return_exceptions=True)
        self._handler = None
        self._urgent.clear()
        self._first.clear()
        async with self._store.unit_of_work() as uow:
            await uow.activities.release(self._holder)
            await uow.commit()

    async def idle(self) -> None:
        """Wait until this instance has looked for stored activities since its start and its
        workers have nothing left to do."""
        if self._sweeper is not None:
            await self._swept.wait()
        while self._workers:
            await asyncio.gather(*self._workers.values(), return_exceptions=True)

    async def sweep(self) -> None:
        """Take on every chat with activities waiting and no live lease but this instance's
        (whose worker may have stopped when the store failed under it)."""
        async with self._store.reading() as uow:
            chats = await uow.activities.unattended_chats(uow.now(), self._holder)
        for thread_id in chats:
            self._wake(thread_id)

    def _wake(self, thread_id: str) -> None:
        if self._handler is None or self._stopping:
            return
        self._again.add(thread_id)
        if thread_id not in self._workers and thread_id not in self._taking:
            self._workers[thread_id] = asyncio.create_task(self._work(thread_id))

    async def _work(self, thread_id: str) -> None:
        try:
            while thread_id in self._again and not self._stopping:
                self._again.discard(thread_id)
                try:
                    drained = await self._drain(thread_id)
                except STORE_FAILURES as failure:
                    log.warning(
                        "a meeting chat's activities wait for the store: %s",
                        type(failure).__name__,
                    )
                    drained = False
                if not drained:
                    self._again.discard(thread_id)
        finally:
            del self._workers[thread_id]

    async def _drain(self, thread_id: str) -> bool:
        """Handle the chat's activities while this instance holds its lease; False when one
        failed (the chat waits for the sweep). Stopping ends it after the activity in hand;
        a batch ends early once half the lease has gone, to renew it."""
        loop = asyncio.get_running_loop()
        renew_at = loop.time() + self._lease.total_seconds() / 2
        waiting = self._first.pop(thread_id, None) or await self._next(thread_id, handled=())
        while waiting:
            handled: Sequence[WaitingActivity] = waiting
            for index, item in enumerate(waiting):
                if self._stopping or (index and loop.time() >= renew_at):
                    handled = waiting[:index]
                    break
                if not await self._handle(thread_id, waiting[index:]):
                    if not await self._failed(thread_id, item, handled=waiting[:index]):
                        return False
                    handled = ()
                    break
            if self._stopping:
                await self._give_back(thread_id, handled)
                return True
            renew_at = loop.time() + self._lease.total_seconds() / 2
            waiting = await self._next(thread_id, handled=handled)
        return True

    async def _give_back(self, thread_id: str, handled: Sequence[WaitingActivity]) -> None:
        """In one transaction: forget what was just handled and give up the chat's lease."""
        async with self._store.unit_of_work() as uow:
            if handled:
                await uow.activities.handled([item.id for item in handled])
            await uow.activities.release(self._holder, thread_id)
            await uow.commit()

    async def _next(
        self, thread_id: str, *, handled: Sequence[WaitingActivity]
    ) -> Sequence[WaitingActivity]:
        """In one transaction: forget what was just handled, hold the chat's lease, and read
        the next batch; the lease is given up when there is none. Urgent work while the chat
        has a security event waiting."""
        urgent_before = self._urgent.waiting(thread_id)
        with working(urgent=bool(urgent_before)):
            async with self._store.unit_of_work() as uow:
                inbox = uow.activities
                if handled:
                    await inbox.handled([item.id for item in handled])
                now = uow.now()
                waiting: Sequence[WaitingActivity] = ()
                if await inbox.claim(thread_id, self._holder, now, now + self._lease):
                    waiting = await inbox.waiting(thread_id, BATCH)
                    if not waiting:
                        await inbox.release(self._holder, thread_id)
                await uow.commit()
        if not waiting:
            # Handled here, or another instance holds the chat and will handle them.
            self._urgent.forget(thread_id, urgent_before)
        return waiting

    async def _handle(self, thread_id: str, ahead: Sequence[WaitingActivity]) -> bool:
        """Handle the activity `ahead[0]` in its turn, with the rest of its batch behind it;
        whether it was handled (a failure is logged)."""
        handler = self._handler
        if handler is None:
            return False
        item = ahead[0]
        try:
            await self._queue.run(
                thread_id,
                self._urgent.priority(thread_id, ahead),
                partial(self._handle_now, handler, thread_id, item),
                behind=len(ahead) - 1,
            )
        except Exception as error:  # noqa: BLE001 (a background worker's boundary)
            # Logged by type only: a message could carry bound parameters or names.
            log.error(  # noqa: TRY400 (a traceback would show the message)
                "handling a %s activity failed (attempt %d): %s",
                item.kind,
                item.attempts + 1,
                type(error).__name__,
            )
            return False
        self._urgent.forget(thread_id, {item.id})
        return True

    async def _handle_now(
        self, handler: ActivityHandler, thread_id: str, item: WaitingActivity
    ) -> None:
        with instruments.span(
            "meeting_activity.handle",
            {
                "iass.activity.id": item.id,
                "iass.activity.kind": item.kind,
                "iass.activity.attempt": item.attempts + 1,
                "iass.teams.thread_id": thread_id,
            },
        ):
            payload = self._store.unseal(item.payload_enc, *PAYLOAD_COLUMN, item.id)
            await handler.handle(thread_id, decoded(item.kind, payload))

    async def _failed(
        self, thread_id: str, item: WaitingActivity, *, handled: Sequence[WaitingActivity]
    ) -> bool:
        """Forget what was handled before `item`, and count its failure, giving the chat's
        lease up until the next sweep; or, at the last attempt, drop it (audited) and return
        True, so the chat's next activity is handled at once."""
        async with self._store.unit_of_work() as uow:
            inbox = uow.activities
            done = [earlier.id for earlier in handled]
            dropped = item.attempts + 1 >= MAX_ATTEMPTS
            if dropped:
                done.append(item.id)
                await uow.audit(
                    AuditEvent(
                        "meeting_activity.abandoned",
                        detail={"kind": item.kind, "attempts": MAX_ATTEMPTS},
                    )
                )
            else:
                await inbox.failed(item.id)
            if done:
                await inbox.handled(done)
            if not dropped:
                await inbox.release(self._holder, thread_id)
            await uow.commit()
        if dropped:
            self._urgent.forget(thread_id, {item.id})
        return dropped
