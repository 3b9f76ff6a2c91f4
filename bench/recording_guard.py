"""Benchmark: from a call roster showing recording without consent to Teams' `allowRecording`
being switched off. Target: p95 under 250 ms.

Serves the seeded sandbox tenant on loopback and schedules 20 meetings (in the store and as
Teams meetings in the sandbox) whose attendees all consented, so recording is allowed. Each
meeting then runs rounds concurrently with the others: a roster in which a stranger is
recording (the gate closes: someone uninvited is present), timed from the roster reaching the
guard to the sandbox having handled the PATCH of that meeting; then a roster without the
stranger (recording is allowed again, not timed). The roster goes to
`RecordingGuard.roster_changed` directly (no HTTP endpoint for call notifications yet); the
chat and the voice are stand-ins that do nothing. The last line reads `guard_p95_ms: N`.

    .venv/bin/python bench/recording_guard.py        # PostgreSQL (IASS_BENCH_POSTGRES_URL)
    .venv/bin/python bench/recording_guard.py --engine sqlite
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web
from scratch import fresh_key_ring, progress, scratch_database

from bot.graph.client import open_graph_client
from bot.graph.config import GraphClientConfig
from bot.graph.meetings import OnlineMeetings
from bot.policy.terms import AttendeeKind, AuthVerdict, Decision, DeclaredRole, Topic
from bot.services.live_meeting import RosterEntry
from bot.services.recording_enforcement import enforce_recording
from bot.services.recording_guard import RecordingGuard
from consent_store.migrate import upgrade_to_head
from consent_store.records import NewAttendee, NewDecision, NewMeeting
from consent_store.unit_of_work import Store
from sandbox.app import create_sandbox_app
from sandbox.seed import (
    BOT_CATALOG_APP_ID,
    BOT_CLIENT_ID,
    BOT_CLIENT_SECRET,
    COORDINATOR,
    PARENT_CARER,
    SENCO,
    seeded_tenant,
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class PatchClock:
    """Sandbox middleware noting when each onlineMeeting PATCH was handled, by meeting id."""

    def __init__(self) -> None:
        self.patched: dict[str, asyncio.Event] = {}
        self.patched_at: dict[str, float] = {}

    def expect(self, teams_id: str) -> asyncio.Event:
        self.patched[teams_id] = asyncio.Event()
        return self.patched[teams_id]

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        response = await handler(request)
        if request.method == "PATCH" and "/onlineMeetings/" in request.path:
            teams_id = request.path.rsplit("/", 1)[-1]
            self.patched_at[teams_id] = time.perf_counter()
            if teams_id in self.patched:
                self.patched[teams_id].set()
        return response


class SilentChat:
    async def post(self, thread_id: str, text: str, card: dict[str, Any] | None = None) -> None:
        return None

    async def notify_privately(self, thread_id: str, object_ids: Sequence[str], text: str) -> None:
        return None


class SilentVoice:
    async def say(self, meeting_id: str, text: str) -> None:
        return None


ORGANISER = RosterEntry("p-organiser", COORDINATOR.display_name, COORDINATOR.object_id, False)
PARENT = RosterEntry("p-parent", PARENT_CARER.display_name, None, False)


async def schedule(store: Store, meetings: OnlineMeetings, number: int) -> tuple[str, str]:
    """A meeting everyone consented to be recorded, in the store and in Teams; its ids."""
    start = datetime.now(UTC) + timedelta(hours=1)
    planned = NewMeeting(
        title=f"Bench meeting {number}",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        organiser_user_id=COORDINATOR.object_id,
        declared_role=DeclaredRole.SUPPORT,
        recording_requested=True,
        attendees=(
            NewAttendee(PARENT_CARER.display_name, PARENT_CARER.address, AttendeeKind.PARENT_CARER),
            NewAttendee(SENCO.display_name, SENCO.address, AttendeeKind.PROFESSIONAL),
        ),
    )
    teams = await meetings.create(COORDINATOR.object_id, planned.title, start, planned.ends_at, ())
    async with store.unit_of_work() as uow:
        row = await uow.meetings.add(planned, uow.now())
        row.teams_meeting_id, row.teams_chat_thread_id = teams.id, teams.chat_thread_id
        for attendee in await uow.meetings.attendees(row.id):
            await uow.meetings.add_decision(
                NewDecision(
                    meeting_id=row.id,
                    attendee_id=attendee.id,
                    topic=Topic.RECORDING,
                    decision=Decision.GIVEN,
                    received_at=uow.now(),
                    auth=AuthVerdict.PASS,
                    sender_matches=True,
                    decided_by="email",
                ),
                uow.now(),
            )
        await uow.commit()
    await enforce_recording(store, meetings, row.id, cause="decision")
    return row.id, teams.id


async def rounds(
    guard: RecordingGuard,
    clock: PatchClock,
    meeting_id: str,
    teams_id: str,
    count: int,
    pause: Callable[[], float],
) -> list[float]:
    """Milliseconds from each recording roster to the sandbox having the setting patched."""
    timings = []
    for number in range(count):
        await asyncio.sleep(pause())
        stranger = RosterEntry(f"p-stranger-{number}", f"Guest {number}", None, True)
        patched = clock.expect(teams_id)
        started = time.perf_counter()
        await guard.roster_changed(meeting_id, [ORGANISER, PARENT, stranger])
        await asyncio.wait_for(patched.wait(), timeout=10)
        timings.append((clock.patched_at[teams_id] - started) * 1000)
        await guard.roster_changed(meeting_id, [ORGANISER, PARENT])
    return timings


async def run(
    engine: str, meeting_count: int, events_per_meeting: int, mean_pause: float, seed: int
) -> float:
    clock = PatchClock()
    tenant = seeded_tenant()
    app = create_sandbox_app(tenant)
    app.middlewares.append(clock.middleware)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    origin = f"http://127.0.0.1:{runner.addresses[0][1]}"
    config = GraphClientConfig(
        tenant_id=tenant.tenant_id,
        client_id=BOT_CLIENT_ID,
        client_secret=BOT_CLIENT_SECRET,
        graph_base_url=f"{origin}/v1.0",
        authority_rewrite_to=origin,
    )
    try:
        async with scratch_database(engine) as url, open_graph_client(config) as graph:
            progress(f"migrating a new {engine} database")
            await asyncio.to_thread(upgrade_to_head, url)
            store = Store.open(url, fresh_key_ring())
            try:
                meetings = OnlineMeetings(graph, BOT_CATALOG_APP_ID, config.graph_base_url)
                progress(f"scheduling {meeting_count} meetings with recording allowed")
                scheduled = [await schedule(store, meetings, n) for n in range(meeting_count)]
                guard = RecordingGuard(
                    store, meetings, SilentChat(), SilentVoice(), bot_app_id=BOT_CLIENT_ID
                )
                progress("warming up")
                await rounds(guard, clock, *scheduled[0], 2, lambda: 0.0)
                progress(f"{meeting_count} meetings x {events_per_meeting} recording rosters")
                started = time.perf_counter()
                rng = random.Random(seed)

                def pause() -> float:
                    return rng.uniform(0, 2 * mean_pause)

                per_meeting = await asyncio.gather(
                    *(rounds(guard, clock, m, t, events_per_meeting, pause) for m, t in scheduled)
                )
                elapsed = time.perf_counter() - started
            finally:
                await store.close()
    finally:
        await runner.cleanup()
    timings = [t for meeting in per_meeting for t in meeting]
    p95 = statistics.quantiles(timings, n=100)[94]
    print(f"engine: {engine}")
    print("path: RecordingGuard.roster_changed called directly; Graph PATCH over loopback")
    print(
        f"meetings: {meeting_count}  recording rosters: {len(timings)}  in {elapsed:.1f} s"
        f"  (each meeting: a pause of 0-{2 * mean_pause:g} s before each round)"
    )
    print(f"guard_p50_ms: {statistics.median(timings):.1f}")
    print(f"guard_max_ms: {max(timings):.1f}")
    print(f"guard_p95_ms: {p95:.1f}")
    return p95


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engine", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--meetings", type=int, default=20)
    parser.add_argument("--events-per-meeting", type=int, default=10)
    parser.add_argument("--mean-pause", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    asyncio.run(
        run(args.engine, args.meetings, args.events_per_meeting, args.mean_pause, args.seed)
    )


if __name__ == "__main__":
    main()
