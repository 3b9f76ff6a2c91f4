"""Benchmark: the signed-in staff pages over HTTP on loopback, with a full store.

Fills a fresh database with 10,000 meetings (three attendees and a recording decision from
each), serves the bot's app with a staff session (minted as sign-in would set it; sign-in
itself is not exercised, so the tenant settings point at a dummy sandbox origin), then times
GET /tab (the meeting lists) and GET /tab/meetings/{reference} (one meeting page).
Target: the list's p95 under 200 ms. The last line reads `staff_list_p95_ms: N`.

    .venv/bin/python bench/staff_pages.py                        # SQLite
    .venv/bin/python bench/staff_pages.py --engine postgresql    # IASS_BENCH_POSTGRES_URL
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import aiohttp
from aiohttp import web
from pydantic import SecretStr
from scratch import (
    KINDS,
    attendee_row,
    decision_row,
    fresh_key_ring,
    meeting_row,
    progress,
    scratch_database,
)
from sqlalchemy import insert

from bot.config import Settings, TenantSettings
from bot.web.app import create_app
from bot.web.session import Sessions, StaffSession
from consent_store.migrate import upgrade_to_head
from consent_store.tables import AttendeeRow, ConsentDecisionRow, MeetingRow
from consent_store.unit_of_work import Store
from domain.terms import Decision, DeclaredRole, Topic
from sandbox.endpoints import tenant_endpoints

BATCH = 5_000
SESSION_KEY = "bench-session-key-0123456789-abcdefghijklmnop"
DUMMY_SANDBOX = "http://127.0.0.1:9"
STAFF = StaffSession("11111111-aaaa-4bbb-8ccc-000000000001", "Bench Staff", "bench-csrf-token")


def _meeting_rows(
    store: Store, number: int, now: datetime, meetings: int
) -> tuple[dict[str, object], list[dict[str, object]], list[dict[str, object]]]:
    """One meeting (half of them upcoming), its three attendees and a decision from each."""
    starts_at = now + timedelta(minutes=30 * (number - meetings // 2))
    meeting = meeting_row(store.cipher, number, starts_at, DeclaredRole.SUPPORT_AND_CONTRIBUTE)
    meeting_id = str(meeting["id"])
    attendees = [
        attendee_row(store.cipher, store.blind_index, meeting_id, number, position, kind)
        for position, kind in enumerate(KINDS)
    ]
    decided = starts_at - timedelta(days=1)
    decisions = [
        decision_row(meeting_id, str(a["id"]), Topic.RECORDING, Decision.GIVEN, decided, decided)
        for a in attendees
    ]
    return meeting, attendees, decisions


async def fill(store: Store, meetings: int) -> list[str]:
    """Insert the synthetic store in bulk; returns the meetings' references."""
    now = datetime.now(UTC)
    references: list[str] = []
    started = time.perf_counter()
    for first in range(0, meetings, BATCH):
        meeting_rows, attendee_rows, decision_rows = [], [], []
        for number in range(first, min(first + BATCH, meetings)):
            meeting, attendees, decisions = _meeting_rows(store, number, now, meetings)
            references.append(str(meeting["reference"]))
            meeting_rows.append(meeting)
            attendee_rows.extend(attendees)
            decision_rows.extend(decisions)
        async with store.unit_of_work() as uow:
            await uow.session.execute(insert(MeetingRow), meeting_rows)
            await uow.session.execute(insert(AttendeeRow), attendee_rows)
            await uow.session.execute(insert(ConsentDecisionRow), decision_rows)
            await uow.commit()
        progress(f"  meetings: {first + len(meeting_rows):,} of {meetings:,}")
    progress(f"filled in {time.perf_counter() - started:.0f} s")
    return references


def tenant_settings() -> TenantSettings:
    """Settings good enough to mount the staff pages; no sign-in reaches DUMMY_SANDBOX."""
    return TenantSettings(
        _env_file=None,
        tenant_id="00000000-0000-4000-8000-000000000001",
        bot_app_id="00000000-0000-4000-8000-000000000002",
        bot_app_secret=SecretStr("bench-secret"),
        session_key=SecretStr(SESSION_KEY),
    ).model_copy(update=tenant_endpoints(DUMMY_SANDBOX))


@asynccontextmanager
async def serving(store: Store) -> AsyncIterator[str]:
    """The bot's app on a free loopback port; yields its base URL."""
    runner = web.AppRunner(create_app(Settings(_env_file=None), store, tenant=tenant_settings()))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


async def session_cookie(store: Store) -> tuple[str, str]:
    """A session started as the app starts one after STAFF signed in; its cookie."""
    sessions = Sessions(store, SESSION_KEY.encode(), secure=False, clock=lambda: datetime.now(UTC))
    response = web.Response()
    await sessions.start(response, STAFF, replacing=None)
    return sessions.name, response.cookies[sessions.name].value


async def measure(client: aiohttp.ClientSession, url: str, samples: int) -> list[float]:
    """Milliseconds per GET of `url`, body read; every answer must be 200."""
    timings = []
    for _ in range(samples):
        started = time.perf_counter()
        async with client.get(url, allow_redirects=False) as response:
            await response.read()
            assert response.status == 200, response.status
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def p95(timings: list[float]) -> float:
    return statistics.quantiles(timings, n=100)[94]


async def run(engine: str, meetings: int, samples: int) -> None:
    key_ring = fresh_key_ring()
    async with scratch_database(engine) as url:
        progress(f"migrating a new {engine} database")
        await asyncio.to_thread(upgrade_to_head, url)
        store = Store.open(url, key_ring)
        try:
            references = await fill(store, meetings)
            if engine == "postgresql":
                async with store.engine.connect() as connection:
                    autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                    await autocommit.exec_driver_sql("ANALYZE")
            name, value = await session_cookie(store)
            async with (
                serving(store) as base,
                aiohttp.ClientSession(cookies={name: value}) as client,
            ):
                list_url = f"{base}/tab"
                meeting_url = f"{base}/tab/meetings/{references[len(references) // 2]}"
                await measure(client, list_url, 20)
                await measure(client, meeting_url, 20)
                list_timings = await measure(client, list_url, samples)
                meeting_timings = await measure(client, meeting_url, samples)
        finally:
            await store.close()
    print(f"engine: {engine}  meetings: {meetings}  samples: {samples}")
    print(f"staff_meeting_p50_ms: {statistics.median(meeting_timings):.2f}")
    print(f"staff_meeting_p95_ms: {p95(meeting_timings):.2f}")
    print(f"staff_list_p50_ms: {statistics.median(list_timings):.2f}")
    print(f"staff_list_p95_ms: {p95(list_timings):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--meetings", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=500)
    args = parser.parse_args()
    asyncio.run(run(args.engine, args.meetings, args.samples))


if __name__ == "__main__":
    main()
