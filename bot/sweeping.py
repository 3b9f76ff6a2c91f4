"""The sweep both durable inboxes run (`bot.meeting_inbox`, `bot.calling.inbox`): look for
stored work no one is handling, every few seconds, for as long as the inbox runs. A sweep the
store fails is logged once per outage, never fatal, so work left by a worker the store failed
under is taken on once it is back."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from consent_store.readiness import STORE_FAILURES

log = logging.getLogger(__name__)


async def sweep_forever(
    sweep: Callable[[], Awaitable[None]], swept: asyncio.Event, seconds: float, inbox: str
) -> None:
    """Run `sweep` every `seconds` until cancelled, setting `swept` after each; `inbox` names
    the inbox in the log."""
    failing = False
    while True:
        try:
            await sweep()
        except STORE_FAILURES as failure:
            if not failing:
                log.warning("the %s cannot reach the store: %s", inbox, type(failure).__name__)
            failing = True
        else:
            if failing:
                log.warning("the %s reaches the store again", inbox)
            failing = False
        swept.set()
        await asyncio.sleep(seconds)
