"""Background work that runs again and again for as long as the bot runs, through store
outages: the sweep both durable inboxes run (`bot.meeting_inbox`, `bot.calling.inbox`), the
call roster listing (`bot.calling.resync`) and the meeting watch
(`bot.services.meeting_watch`). A run the store fails is logged once when the outage starts and
once when it ends, never fatal, and tried again after a short wait, so work left while the
store was away is taken on once it is back. A run that fails any other way is logged (by the
failure's type only: a message can carry names) and counted (`iass.background.failures`) each
time, and tried again after the same wait: these loops are safety nets (the roster listing
finds strangers whose notifications were lost), so an unforeseen failure must neither stop
them for good nor go unseen."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot import instruments
from consent_store.readiness import STORE_FAILURES

log = logging.getLogger(__name__)


async def run_through_outages(
    step: Callable[[], Awaitable[float]], *, what: str, retry_seconds: float
) -> None:
    """Run `step` until cancelled; it returns how many seconds to wait before the next run.
    While the store fails, run again every `retry_seconds`. `what` names the work in the log."""
    failing = False
    while True:
        try:
            wait = await step()
        except STORE_FAILURES as failure:
            if not failing:
                log.warning("%s: waiting for the store (%s)", what, type(failure).__name__)
            failing, wait = True, retry_seconds
        except Exception as error:  # noqa: BLE001 (a background loop's boundary: logged, counted, run again)
            kind = type(error).__name__
            log.error("%s failed: %s; trying again in %g s", what, kind, retry_seconds)  # noqa: TRY400 (a traceback would show the message)
            instruments.background_run_failed(what, kind)
            wait = retry_seconds
        else:
            if failing:
                log.warning("%s: the store answers again", what)
            failing = False
        await asyncio.sleep(wait)


async def sweep_forever(
    sweep: Callable[[], Awaitable[None]], swept: asyncio.Event, seconds: float, inbox: str
) -> None:
    """Run `sweep` every `seconds` until cancelled, setting `swept` after each, whether or
    not the store failed it; `inbox` names the inbox in the log."""

    async def step() -> float:
        try:
            await sweep()
        finally:
            swept.set()
        return seconds

    await run_through_outages(step, what=f"the {inbox}", retry_seconds=seconds)
