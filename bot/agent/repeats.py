"""Each Teams activity handled once: a copy Teams sends again is answered as the first copy was
and not handled again.

Teams sends an activity again when the bot's answer takes more than 15 seconds or is a 5xx, and
anyone holding a valid token could replay one. Activity ids are the channel's and unique only
within a conversation, so an activity is named by its channel, conversation and id, under the
store's keyed hash (`BlindIndex.of_activity`: a personal chat's id stands for a person), and
remembered in the store for a day, so instances share what they have seen
(`consent_store.seen_activities`).

The first copy claims the name and is handled; its answer (202, or an invoke's status) is noted
for the copies after it, which get the same status. A copy that arrives while the first is
still being handled waits for its answer a few seconds (within Teams' 15), and is refused with a
503 if there is none yet, so Teams sends it again and nothing is lost if the first fails. When
handling fails (an exception or a 5xx) the name is forgotten, so the next copy is handled; so is
one whose instance stopped mid-way, a minute after it was claimed. Claims and answers from
requests arriving together are written in one transaction (a group commit). If the store cannot
be reached the activity is handled anyway, unchecked (logged and counted): handling it twice
is what happened before; losing it could lose a join the recording guard must see.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from consent_store.errors import STORE_FAILURES
from consent_store.seen_activities import Sighting
from consent_store.unit_of_work import Store

log = logging.getLogger(__name__)

REMEMBERED = timedelta(days=1)
ABANDONED = timedelta(seconds=60)
"""A copy claimed this long ago and never answered was lost with its instance."""
PURGE_EVERY = timedelta(minutes=10)
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.2

Handle = Callable[[], Awaitable[web.StreamResponse]]


def activity_name(body: bytes) -> tuple[str, str, str] | None:
    """The activity's channel id, conversation id and id, or None when the body has no id or
    conversation id (it is left to the SDK, which refuses what it cannot read)."""
    try:
        activity: Any = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(activity, dict) or not isinstance(activity.get("conversation"), dict):
        return None
    channel, conversation = activity.get("channelId", ""), activity["conversation"].get("id")
    activity_id = activity.get("id")
    fields = (channel, conversation, activity_id)
    if not all(isinstance(field, str) for field in fields) or not conversation or not activity_id:
        return None
    return channel, conversation, activity_id


class RepeatedActivities:
    def __init__(
        self,
        store: Store,
        *,
        wait_seconds: float = WAIT_SECONDS,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self._store = store
        self._wait_seconds = wait_seconds
        self._poll_seconds = poll_seconds
        self._claims: list[tuple[str, asyncio.Future[Sighting]]] = []
        self._answers: dict[str, int] = {}
        self._forgotten: set[str] = set()
        self._writer: asyncio.Task[None] | None = None
        self._purged_at: datetime | None = None
        self.counts: Counter[str] = Counter()
        """Activities not handled as usual: `repeat` (answered as before, not handled),
        `in_hand` (refused while the first copy was handled) and `unchecked`."""

    async def answer(self, request: web.Request, handle: Handle) -> web.StreamResponse:
        """Answer the activity in `request`: `handle` it if it is the first copy."""
        name = activity_name(await request.read())
        if name is None:
            return await handle()
        key = self._store.blind_index.of_activity(*name)
        try:
            sighting = await self._sighting(key)
        except STORE_FAILURES as error:
            self.counts["unchecked"] += 1
            log.warning("an activity was handled unchecked for repeats: %s", type(error).__name__)
            return await handle()
        if not sighting.first:
            return self._repeat(sighting.status)
        try:
            response = await handle()
        except BaseException:
            self._note(forget=key)
            raise
        if response.status >= 500:
            self._note(forget=key)
        else:
            self._note(answer=(key, response.status))
        return response

    async def close(self) -> None:
        """Write what is waiting to be written."""
        if self._writer is not None:
            await self._writer

    async def _sighting(self, key: str) -> Sighting:
        """Claim the key, waiting a while for the first copy's answer if it is in hand."""
        deadline = asyncio.get_running_loop().time() + self._wait_seconds
        while True:
            claimed: asyncio.Future[Sighting] = asyncio.get_running_loop().create_future()
            self._claims.append((key, claimed))
            self._start_writing()
            sighting = await claimed
            if sighting.first or sighting.status is not None:
                return sighting
            if asyncio.get_running_loop().time() >= deadline:
                return sighting
            await asyncio.sleep(self._poll_seconds)

    def _repeat(self, status: int | None) -> web.Response:
        if status is None:
            self.counts["in_hand"] += 1
            log.info("a repeated activity was refused while its first copy is handled")
            return web.Response(status=503)
        self.counts["repeat"] += 1
        log.info("a repeated activity was answered %d and not handled again", status)
        return web.Response(status=status)

    def _note(self, *, answer: tuple[str, int] | None = None, forget: str | None = None) -> None:
        if answer is not None:
            self._answers[answer[0]] = answer[1]
        if forget is not None:
            self._forgotten.add(forget)
        self._start_writing()

    def _start_writing(self) -> None:
        if self._writer is None:
            self._writer = asyncio.create_task(self._write())

    async def _write(self) -> None:
        try:
            while self._claims or self._answers or self._forgotten:
                claims, self._claims = self._claims, []
                answers, self._answers = self._answers, {}
                forgotten, self._forgotten = self._forgotten, set()
                try:
                    sightings = await self._store_batch([k for k, _ in claims], answers, forgotten)
                except Exception as error:  # noqa: BLE001 (raised again in every claimant)
                    for _, claimed in claims:
                        if not claimed.done():
                            claimed.set_exception(error)
                    if answers or forgotten:
                        log.warning(
                            "%d activity answers were not noted: %s",
                            len(answers) + len(forgotten),
                            type(error).__name__,
                        )
                else:
                    first_in_batch: set[str] = set()
                    for key, claimed in claims:
                        repeat_in_batch = key in first_in_batch
                        first_in_batch.add(key)
                        if not claimed.done():
                            claimed.set_result(
                                Sighting(False) if repeat_in_batch else sightings[key]
                            )
        finally:
            self._writer = None
            for _, claimed in self._claims:
                claimed.cancel()
            self._claims = []

    async def _store_batch(
        self, keys: list[str], answers: Mapping[str, int], forgotten: set[str]
    ) -> dict[str, Sighting]:
        async with self._store.unit_of_work() as uow:
            seen = uow.seen_activities
            if forgotten:
                await seen.forget(forgotten)
            if answers:
                await seen.answered(answers)
            now = uow.now()
            sightings = {}
            if keys:
                sightings = await seen.claim(
                    list(dict.fromkeys(keys)),
                    now,
                    forgotten_before=now - REMEMBERED,
                    abandoned_before=now - ABANDONED,
                )
            purging = self._purged_at is None or now - self._purged_at >= PURGE_EVERY
            if purging:
                await seen.purge(now - REMEMBERED)
            await uow.commit()
        if purging:
            self._purged_at = now
        return sightings
