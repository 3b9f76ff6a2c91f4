"""Who is in each of the bot's calls, asked of Graph rather than waited for: a roster that never
arrived is found all the same.

Why: the recording guard learns who is present from Teams' join events and the call's roster
notifications, and either can be lost: Graph gives up on a notification the bot could not
take (it was restarting, or had to refuse it while the store was down), and Microsoft
documents no redelivery for either. A stranger who joined then would stay unseen, and Teams
would go on allowing recording. So every `EVERY_SECONDS`, and at once when the bot starts,
the bot lists the participants of each call it is in (`GET
/communications/calls/{id}/participants`, documented at
https://learn.microsoft.com/graph/api/call-list-participants) and, when the list differs from
the roster last handled for the call, puts it into the calls inbox as a roster notice. From
there it is handled like any other roster: in order with the call's notices, put to the gate,
recording switched off at once if someone may not be there.

While the store cannot be read, or a listing fails, the next round comes after
`RETRY_SECONDS`, so a roster lost in an outage is found within moments of the store coming
back. A listing that fails is logged by the error's type and the call's id and counted in
`listing_failures`; a call Graph no longer knows is logged once.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from typing import Protocol

from bot.calling.inbox import CallNotificationInbox
from bot.calling.notifications import ReceivedNotice, RosterNotice
from bot.calling.stored_notices import roster_digest
from bot.ports.calls import CallNotPlaced
from bot.ports.failures import GRAPH_FAILURES
from bot.services.live_meeting import RosterEntry
from bot.sweeping import run_through_outages
from consent_store.unit_of_work import Store

log = logging.getLogger(__name__)

EVERY_SECONDS = 10.0
RETRY_SECONDS = 1.0
AT_ONCE = 8
"""How many calls are listed at the same time."""

listing_failures: Counter[str] = Counter()
"""How many participant listings failed in this process, by the error's type."""


class CallParticipants(Protocol):
    async def participants(self, call_id: str) -> tuple[RosterEntry, ...]:
        """Everyone in the call now, as Graph lists them."""


class RosterResync:
    def __init__(
        self,
        store: Store,
        calls: CallParticipants,
        inbox: CallNotificationInbox,
        *,
        every_seconds: float = EVERY_SECONDS,
        retry_seconds: float = RETRY_SECONDS,
    ) -> None:
        self._store = store
        self._calls = calls
        self._inbox = inbox
        self._every = every_seconds
        self._retry = retry_seconds
        self._gone: set[str] = set()
        self._limit = asyncio.Semaphore(AT_ONCE)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run_forever())

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _run_forever(self) -> None:
        async def step() -> float:
            return self._every if await self.run_once() else self._retry

        await run_through_outages(step, what="call rosters", retry_seconds=self._retry)

    async def run_once(self) -> bool:
        """List every established call's participants and hand each changed roster to the
        inbox; whether every call could be listed. Store failures raise."""
        async with self._store.reading() as uow:
            calls = await uow.calls.established_calls()
        found = await asyncio.gather(*(self._listed(call_id) for call_id, _ in calls))
        changed = [
            ReceivedNotice(f"resync:{call_id}:{digest}", RosterNotice(call_id, roster))
            for (call_id, last), roster in zip(calls, found, strict=True)
            if roster is not None and (digest := roster_digest(roster)) != last
        ]
        await self._inbox.accept(changed)
        return all(r is not None or c in self._gone for (c, _), r in zip(calls, found, strict=True))

    async def _listed(self, call_id: str) -> tuple[RosterEntry, ...] | None:
        async with self._limit:
            try:
                return await self._calls.participants(call_id)
            except (*GRAPH_FAILURES, CallNotPlaced, TimeoutError) as error:
                self._failed(call_id, error)
                return None

    def _failed(self, call_id: str, error: Exception) -> None:
        kind = type(error).__name__
        listing_failures[kind] += 1
        if getattr(error, "response_status_code", None) == 404:
            if call_id not in self._gone:
                log.warning("call %s is no longer known to Graph", call_id)
            self._gone.add(call_id)
            return
        log.warning(
            "listing the participants of call %s failed: %s (%d so far)",
            call_id,
            kind,
            listing_failures[kind],
        )
