"""The calls notification inbox: Graph is answered once a notice is safely stored, and the
meeting's use cases handle it behind that, in order per call.

Why: Graph does not send a notification again once `/api/calls` has answered it 202, and a
roster that is lost hides a stranger from the recording guard. So `accept` stores the notices
of a request in one transaction and returns once it has committed; only then does the endpoint
answer 202. The notices of requests arriving while a write is under way are stored together in
the next (`bot.group_commit`), written before urgent work (`domain.urgency`). When the store
cannot take them `accept` raises, nothing is stored, and the endpoint refuses the request so
that Graph may deliver it again; a roster among them cannot be put to the gate, so the meeting
it is for (if this instance knows the call) switches recording off without the store
(`CallEvents.roster_unchecked`). What is stored is handled even if the bot stops half-way
(at least once; the use cases tolerate a repeat), is sealed like every personal value until
then (a roster names people), and is deleted once handled.

Guarantees:
- Notices are handled in arrival order per call (one call's never overtake each other;
  different calls go side by side).
- Each notice is handled as `bot.calling.notice_handling` says: a call-state or prompt notice
  once across instances, a call's state only forward (its move to "established" reported
  once), and a roster equal to the last one handled for the call passed over.

How: a worker holds the call's lease in the store while it handles the call's notices oldest
first, a batch at a time (forgetting a batch and renewing the lease in one transaction), and
gives the lease up when the call has nothing left. Each notice is handled through the inbox's
serial queue (`bot.serial_queue`), at most `CALLS_AT_ONCE` at a time: rosters and call states
(who is in the meeting, and the call that marks its start) are high priority, started before
any prompt's notice waiting in another call. None of them waits for the foreground rule:
Graph's notices never did (a prompt's notice lets the call's next prompt play). A notice whose
handling fails stops its call until the next sweep (every `SWEEP_SECONDS`), which takes on
calls with notices waiting and no live lease (an instance stopped, or gave its lease up just as
another stored something) and this instance's own calls whose worker the store failed under. A
failure is counted only when the store can record it, so a notice that failed because the store
was down waits for it to come back; after `MAX_ATTEMPTS` counted failures the notice is
dropped, audited and logged, so one poisoned notice cannot stop a call's guard for good.
Failures are logged by the error's type, the notice's kind and the call's id only (error
messages can carry bound parameters or names).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Sequence
from datetime import timedelta
from functools import partial
from typing import Final

from bot import instruments
from bot.calling.notice_handling import REPORT_ESTABLISHED, CallLifecycle, CallNoticeHandler
from bot.calling.notifications import ReceivedNotice, RosterNotice
from bot.calling.prompt_turns import PromptTurns
from bot.calling.stored_notices import CALL_STATE, ROSTER, encoded
from bot.group_commit import GroupCommit
from bot.serial_queue import Priority, SerialQueue
from bot.services.live_meeting import CallEvents
from bot.sweeping import sweep_forever
from consent_store.audit import AuditEvent
from consent_store.call_notices import (
    PAYLOAD_COLUMN,
    NoticeArrival,
    WaitingNotice,
)
from consent_store.readiness import STORE_FAILURES
from consent_store.repository import new_id
from consent_store.unit_of_work import Store
from domain.urgency import answering, working

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
LEASE = timedelta(seconds=60)
SWEEP_SECONDS = 2.0
BATCH = 20
CALLS_AT_ONCE = 8
"""How many notices (so calls) are handled at a time."""
SECURITY_KINDS: Final = frozenset({CALL_STATE, ROSTER, REPORT_ESTABLISHED})
"""The notices that go first: who is in the meeting, and the call that marks its start."""

_SEQUENCE = itertools.count()
"""The order this process took notices in, for those stored at the same moment."""


class CallNotificationInbox:
    def __init__(
        self,
        store: Store,
        holder: str,
        *,
        lease: timedelta = LEASE,
        sweep_seconds: float = SWEEP_SECONDS,
        calls_at_once: int = CALLS_AT_ONCE,
    ) -> None:
        self._store = store
        self._queue: SerialQueue[str] = SerialQueue(instruments.CALL_NOTICES, at_once=calls_at_once)
        self._holder = holder
        self._lease = lease
        self._sweep_seconds = sweep_seconds
        self._handlers: CallNoticeHandler | None = None
        self.prompt_turns = PromptTurns()
        """Told of each finished prompt, so the voice plays a call's next one."""
        self._sweeper: asyncio.Task[None] | None = None
        self._swept = asyncio.Event()
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._again: set[str] = set()
        self._meeting_of_call: dict[str, str] = {}
        self._incoming: GroupCommit[Sequence[ReceivedNotice]] = GroupCommit(
            self._store_notices, at_once=store.writes_at_once
        )

    async def accept(self, notices: Sequence[ReceivedNotice]) -> None:
        """Store the notices in one transaction; they are handled after this returns (once
        `start` has run). Raises what storing them raised, and then nothing is stored."""
        if not notices:
            return
        try:
            await self._incoming.add(notices)
        except STORE_FAILURES:
            await self._rosters_unchecked(notices)
            raise
        for call_id in dict.fromkeys(received.notice.call_id for received in notices):
            self._wake(call_id)

    async def _store_notices(self, requests: Sequence[Sequence[ReceivedNotice]]) -> None:
        """Store the notices of the requests that arrived meanwhile in one transaction, before
        urgent work (`domain.urgency`): Graph waits for the answers, and a roster is not safe
        until it is stored."""
        with answering():
            async with self._store.unit_of_work() as uow:
                arrivals = []
                for received in (notice for notices in requests for notice in notices):
                    notice_id = new_id()
                    kind, payload = encoded(received)
                    sealed = self._store.seal(payload, *PAYLOAD_COLUMN, notice_id)
                    call_id = received.notice.call_id
                    arrivals.append(
                        NoticeArrival(notice_id, next(_SEQUENCE), call_id, kind, sealed)
                    )
                await uow.call_notices.add(arrivals, uow.now())
                await uow.commit()

    async def _rosters_unchecked(self, notices: Sequence[ReceivedNotice]) -> None:
        """Rosters the store could not take cannot be put to the gate: each meeting they are
        for (as this instance knows its calls) hears so, and switches recording off."""
        if self._handlers is None:
            return
        meetings = {
            self._meeting_of_call[received.notice.call_id]
            for received in notices
            if isinstance(received.notice, RosterNotice)
            and received.notice.call_id in self._meeting_of_call
        }
        for meeting_id in meetings:
            await self._handlers.events.roster_unchecked(meeting_id)

    def start(self, lifecycle: CallLifecycle, events: CallEvents) -> None:
        """Handle what is stored, and what comes, with these use cases."""
        self._handlers = CallNoticeHandler(
            self._store, lifecycle, events, self.prompt_turns, self._meeting_of_call
        )
        self._sweeper = asyncio.create_task(
            sweep_forever(self.sweep, self._swept, self._sweep_seconds, "calls inbox")
        )

    async def close(self) -> None:
        """Stop handling and give up this instance's leases; what was not handled stays
        stored for the next start (and for the other instances' sweeps)."""
        self._handlers = None
        tasks = [*self._workers.values(), *([self._sweeper] if self._sweeper else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._sweeper = None
        self._swept.clear()
        try:
            async with self._store.unit_of_work() as uow:
                await uow.call_notices.release(self._holder)
                await uow.commit()
        except STORE_FAILURES as failure:
            log.warning("the calls inbox's leases are left to run out: %s", type(failure).__name__)

    async def idle(self) -> None:
        """Wait until this instance has looked for stored notices since its start and its
        workers have nothing left to do."""
        if self._sweeper is not None:
            await self._swept.wait()
        while self._workers:
            await asyncio.gather(*self._workers.values(), return_exceptions=True)

    async def sweep(self) -> None:
        """Take on every call with notices waiting and no live lease but this instance's."""
        async with self._store.reading() as uow:
            calls = await uow.call_notices.unattended_calls(uow.now(), self._holder)
        for call_id in calls:
            self._wake(call_id)

    def _wake(self, call_id: str) -> None:
        if self._handlers is None:
            return
        self._again.add(call_id)
        if call_id not in self._workers:
            self._workers[call_id] = asyncio.create_task(self._work(call_id))

    async def _work(self, call_id: str) -> None:
        try:
            while call_id in self._again:
                self._again.discard(call_id)
                try:
                    drained = await self._drain(call_id)
                except STORE_FAILURES as failure:
                    log.warning(
                        "the notices of call %s wait for the store: %s",
                        call_id,
                        type(failure).__name__,
                    )
                    drained = False
                if not drained:
                    self._again.discard(call_id)
        finally:
            del self._workers[call_id]

    async def _drain(self, call_id: str) -> bool:
        """Handle the call's notices while this instance holds its lease; False when one
        failed (the call waits for the sweep). The lease and batches are read and written as
        urgent work (`domain.urgency`): nearly every notice is a roster or a call's state."""
        with working(urgent=True):
            return await self._drain_urgently(call_id)

    async def _drain_urgently(self, call_id: str) -> bool:
        handlers = self._handlers
        if handlers is None:
            return False
        waiting, noted = await self._next(call_id, handled=(), roster=None)
        while waiting:
            handled, last_roster, failed = await self._handle_batch(
                handlers, call_id, waiting, noted
            )
            roster = last_roster if last_roster != noted else None
            if failed is None:
                waiting, noted = await self._next(call_id, handled=handled, roster=roster)
                continue
            if not await self._failed(call_id, failed, handled=handled, roster=roster):
                return False
            waiting, noted = await self._next(call_id, handled=(), roster=None)
        return True

    async def _handle_batch(
        self,
        handlers: CallNoticeHandler,
        call_id: str,
        waiting: Sequence[WaitingNotice],
        last_roster: str | None,
    ) -> tuple[list[WaitingNotice], str | None, WaitingNotice | None]:
        """Handle notices in order until one fails: those handled, the digest of the roster
        last handled, and the one that failed (None when none did)."""
        handled: list[WaitingNotice] = []
        for item in waiting:
            try:
                last_roster = await self._queue.run(
                    call_id,
                    Priority.HIGH if item.kind in SECURITY_KINDS else Priority.LOW,
                    partial(self._handle_now, handlers, call_id, item, last_roster),
                )
            except Exception as error:  # noqa: BLE001 (a background worker's boundary)
                # Logged by type only: a message could carry bound parameters or names.
                log.error(  # noqa: TRY400 (a traceback would show the message)
                    "handling a %s notice of call %s failed (attempt %d): %s",
                    item.kind,
                    call_id,
                    item.attempts + 1,
                    type(error).__name__,
                )
                return handled, last_roster, item
            handled.append(item)
        return handled, last_roster, None

    async def _next(
        self, call_id: str, *, handled: Sequence[WaitingNotice], roster: str | None
    ) -> tuple[Sequence[WaitingNotice], str | None]:
        """In one transaction: forget what was just handled (noting the roster last handled),
        hold the call's lease, and read the next batch with the roster last handled; the
        lease is given up when there is none."""
        async with self._store.unit_of_work() as uow:
            inbox = uow.call_notices
            if handled:
                await inbox.handled([item.id for item in handled])
            if roster is not None:
                await inbox.note_roster(call_id, roster)
            now = uow.now()
            waiting: Sequence[WaitingNotice] = ()
            last_roster = None
            if await inbox.claim(call_id, self._holder, now, now + self._lease):
                waiting = await inbox.waiting(call_id, BATCH)
                if waiting:
                    last_roster = await inbox.last_roster(call_id)
                else:
                    await inbox.release(self._holder, call_id)
            await uow.commit()
        return waiting, last_roster

    async def _failed(
        self,
        call_id: str,
        item: WaitingNotice,
        *,
        handled: Sequence[WaitingNotice],
        roster: str | None,
    ) -> bool:
        """Forget what was handled before `item` (noting the roster last handled), and count
        its failure, giving the call's lease up until the next sweep; or, at the last attempt,
        drop it (audited) and return True, so the call's next notice is handled at once."""
        async with self._store.unit_of_work() as uow:
            inbox = uow.call_notices
            done = [earlier.id for earlier in handled]
            dropped = item.attempts + 1 >= MAX_ATTEMPTS
            if dropped:
                done.append(item.id)
                await uow.audit(
                    AuditEvent(
                        "call_notice.abandoned",
                        detail={"call": call_id, "kind": item.kind, "attempts": MAX_ATTEMPTS},
                    )
                )
            else:
                await inbox.failed(item.id)
            if done:
                await inbox.handled(done)
            if roster is not None:
                await inbox.note_roster(call_id, roster)
            if not dropped:
                await inbox.release(self._holder, call_id)
            await uow.commit()
        return dropped

    async def _handle_now(
        self,
        handlers: CallNoticeHandler,
        call_id: str,
        item: WaitingNotice,
        last_roster: str | None,
    ) -> str | None:
        with instruments.span(
            "call_notice.handle",
            {
                "iass.notice.id": item.id,
                "iass.notice.kind": item.kind,
                "iass.notice.attempt": item.attempts + 1,
                "iass.call.id": call_id,
            },
        ):
            return await handlers.handle(item, last_roster)
