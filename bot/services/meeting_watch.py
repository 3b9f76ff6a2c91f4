"""Whether the bot kept sight of each meeting whose recording Teams allows, and what to do when
it did not.

Why: the recording gate learns who is present from what Teams sends (join events, call
rosters), and Microsoft documents no redelivery of either. While no bot instance is running,
or while an instance refuses what Teams sends because its store is down, someone can join and
leave unseen; listing the call's participants afterwards (`bot/calling/resync.py`) finds only
who is still there. So the bot notes that it was watching, and treats any break as "someone
may have been there": `after_losing_sight` (in `sight_lost`) closes the gate for
good for a meeting that was under way.

How: every `BEAT_SECONDS`, each instance writes `watched_at` on every meeting in the watch
(Teams allows its recording, not cancelled, not long over), but only for meetings whose
`watched_at` shows that some instance was watching when this one regained sight (started,
or could store again after refusing something). A meeting whose `watched_at` is older than
that, or never written, may have gone unseen (`out_of_sight`). An instance checks only
`SETTLE_BEATS` beats after it regained sight, so that every other instance still watching has
written since; after refusing a notification itself, it treats every meeting in the watch as
out of sight, since what it refused is lost whoever else was watching. Instances' clocks must
agree to well within a beat (NTP).

A meeting out of sight whose settling fails (Graph down) is tried again on later beats,
waiting longer each time up to `LONGEST_WAIT`; until then its `watched_at` is not written, so
a crash leaves it out of sight for the next instance too.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Final

from bot.ports.failures import GRAPH_FAILURES
from bot.services.recording_checks import RUNNING_UNTIL
from bot.sweeping import run_through_outages
from consent_store.unit_of_work import Store

log = logging.getLogger(__name__)

BEAT_SECONDS: Final = 1.0
SETTLE_BEATS: Final = 2
"""Beats after regaining sight before the first check (every other watching instance has
written by then)."""
LONGEST_WAIT: Final = timedelta(seconds=30)
"""The longest wait between attempts to settle a meeting found out of sight."""

Settle = Callable[[str, datetime], Awaitable[bool]]
"""Handle a meeting found out of sight until the given moment; whether it is settled."""

counts: Counter[str] = Counter()
"""Meetings found out of sight (`out_of_sight`), settled (`settled`) or not yet (`unsettled`),
and notifications refused (`refused`), in this process."""


def out_of_sight(
    watched: Sequence[tuple[str, datetime | None]], regained_at: datetime, refused: bool
) -> tuple[list[str], list[str]]:
    """Split the meetings in the watch (each with when it was last seen watched) into those
    watched without a break since this instance regained sight at `regained_at`, and those
    that may have gone unseen: all of them when this instance refused a notification."""
    unbroken = [
        meeting_id
        for meeting_id, at in watched
        if not refused and at is not None and at >= regained_at
    ]
    kept = set(unbroken)
    return unbroken, [meeting_id for meeting_id, _ in watched if meeting_id not in kept]


class MeetingWatch:
    def __init__(self, store: Store, settle: Settle, *, beat_seconds: float = BEAT_SECONDS):
        self._store = store
        self._settle = settle
        self._beat = beat_seconds
        self._regained_at: datetime | None = None
        self._beats_since = 0
        self._refused = False
        self._waits: dict[str, tuple[datetime, timedelta]] = {}
        self._task: asyncio.Task[None] | None = None

    def lost_sight(self) -> None:
        """This instance refused a notification (its store could not take it): what it said
        is lost, so every meeting in the watch is checked once the store is back."""
        counts["refused"] += 1
        self._regained_at = None
        self._refused = True

    def start(self) -> None:
        self._task = asyncio.create_task(self._run_forever())

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _run_forever(self) -> None:
        async def step() -> float:
            await self.beat()
            return self._beat

        await run_through_outages(step, what="the meeting watch", retry_seconds=self._beat)

    async def beat(self) -> None:
        """One beat: note the meetings still in sight, and settle those that may not have
        been. Store failures raise."""
        now = self._store.clock()
        regained_at = self._regained_at
        if regained_at is None:
            async with self._store.reading() as uow:
                await uow.meetings.in_watch(now, RUNNING_UNTIL)
            self._regained_at, self._beats_since = now, 0
            return
        self._beats_since += 1
        if self._beats_since < SETTLE_BEATS:
            return
        refused = self._refused
        async with self._store.reading() as uow:
            watched = await uow.meetings.in_watch(now, RUNNING_UNTIL)
        unbroken, unseen = out_of_sight(watched, regained_at, refused)
        if unbroken:
            async with self._store.unit_of_work() as uow:
                await uow.meetings.note_watched(unbroken, now)
                await uow.commit()
        if refused and self._regained_at is not None:
            self._refused = False
        for meeting_id in unseen:
            await self._settle_one(meeting_id, regained_at, now)

    async def _settle_one(self, meeting_id: str, regained_at: datetime, now: datetime) -> None:
        due, wait = self._waits.get(meeting_id, (now, timedelta(seconds=self._beat)))
        if due > now:
            return
        counts["out_of_sight"] += 1
        try:
            settled = await self._settle(meeting_id, regained_at)
        except GRAPH_FAILURES as failure:
            log.warning(
                "meeting %s out of sight, not settled: %s", meeting_id, type(failure).__name__
            )
            settled = False
        if not settled:
            counts["unsettled"] += 1
            self._waits[meeting_id] = (now + wait, min(wait * 2, LONGEST_WAIT))
            return
        counts["settled"] += 1
        self._waits.pop(meeting_id, None)
        async with self._store.unit_of_work() as uow:
            await uow.meetings.note_watched([meeting_id], now)
            await uow.commit()
