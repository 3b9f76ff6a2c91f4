"""The bot's background loops (`bot.sweeping`) keep running whatever a run raises: a store
outage is logged when it starts and ends, and any other failure is logged by its type alone,
counted, and run again, so a safety net such as the call roster listing never stops unseen."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.exc import OperationalError

from bot import instruments
from bot.sweeping import run_through_outages
from tests.telemetry.recorded import recording


async def test_a_run_that_fails_unexpectedly_is_logged_counted_and_run_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    outcomes: list[BaseException | None] = [
        KeyError("jordan@example.org"),
        OperationalError("SELECT", {}, Exception("database is locked")),
        None,
        KeyError("jordan@example.org"),
        None,
    ]
    ran = asyncio.Event()
    runs = 0

    async def step() -> float:
        nonlocal runs
        runs += 1
        outcome = outcomes.pop(0) if outcomes else None
        if not outcomes:
            ran.set()
        if outcome is not None:
            raise outcome
        return 0.0

    with recording() as recorded:
        loop = asyncio.create_task(run_through_outages(step, what="call rosters", retry_seconds=0))
        await asyncio.wait_for(ran.wait(), 2)
        loop.cancel()
        await asyncio.gather(loop, return_exceptions=True)
        failed = recorded.value(
            instruments.BACKGROUND_FAILURES,
            {"iass.background": "call rosters", "error.type": "KeyError"},
        )

    assert runs >= 5
    assert failed == 2
    assert caplog.text.count("call rosters failed: KeyError; trying again in 0 s") == 2
    assert "call rosters: waiting for the store (OperationalError)" in caplog.text
    assert "call rosters: the store answers again" in caplog.text
    assert "jordan" not in caplog.text
