"""Benchmark: from the call roster notification reaching the bot's `/api/calls` to Teams'
`allowRecording` being switched off. Target: p95 under 250 ms.

Serves the seeded sandbox tenant in this process and, on the port below it, the bot as
`serving_app` builds it (`/api/messages`, `/api/calls`, the consent mailbox's background work)
alone in a process of its own, as it would be in production (this script with `--serve`),
both on loopback, over a scratch database. The sandbox stands in for Microsoft 365, so its
own work (signing and sending notifications, checking tokens, composing mail) is not counted
against the bot; the meetings are scheduled by the bench (the bot's own use cases over a
second store and Graph clients of its own). Schedules 200 meetings (in the store and as Teams
meetings in the sandbox) whose attendees all consented, so recording is allowed; each is
started in the sandbox, so the bot joins its call, then the parent is admitted and the
organiser starts recording. Then, all meetings at once, each after a random pause: a stranger
appears in the sandbox's live meeting and the sandbox's calling service sends the bot's call
the new roster (a signed comms notification; no join activity is sent, so the roster is the
only way the bot learns of the stranger). The bot checks the calling JWT, answers 202, its
inbox hands the roster to the recording guard, and the guard PATCHes the onlineMeeting. Timed
from the notification request reaching the bot's application (its outermost middleware) to
the sandbox having handled that PATCH; also shown from the sandbox queueing the notification.
One stranger per meeting: once a meeting has started, recording that was switched off stays
off, so a meeting gives one timed switch. The bot's process notes each roster's arrival and
hands the times over when it stops; both processes read the same clock (`time.perf_counter`
is the system's monotonic clock on Linux). The last line reads `guard_p95_ms: N`.

    .venv/bin/python bench/recording_guard.py        # PostgreSQL (IASS_BENCH_POSTGRES_URL)
    .venv/bin/python bench/recording_guard.py --engine sqlite
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import socket
import statistics
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path

from aiohttp import web
from pydantic import SecretStr
from scratch import (
    key_settings,
    progress,
    run_key_settings,
    scratch_database,
    serve_until_told,
    served_process,
)

from bot.config import Settings, TenantSettings
from bot.graph.meetings import OnlineMeetings
from bot.graph.tenant import open_tenant
from bot.services.recording_enforcement import enforce_recording
from bot.services.recording_setting import lock_down_and_confirm
from bot.services.scheduling import open_teams_meeting
from bot.serving import sandbox_origin, sandbox_tenant, serving_app
from consent_store.calls import MeetingCallRecords
from consent_store.migrate import upgrade_to_head
from consent_store.records import NewAttendee, NewDecision, NewMeeting
from consent_store.unit_of_work import Store
from domain.terms import AttendeeKind, AuthVerdict, Decision, DeclaredRole, Topic
from sandbox.app import create_sandbox_app
from sandbox.app_keys import CALLING, TEAMS, TENANT
from sandbox.calls.calling import CallingService
from sandbox.calls.calls import comparable_call_id
from sandbox.seed import COORDINATOR, PARENT_CARER, SENCO, seeded_tenant
from sandbox.teams.live_meetings import Attendance, LiveMeeting

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
THIS_SCRIPT = Path(__file__).resolve()
CALLS_PREFIX = "/communications/calls/"
WARM_UP = 2
"""Meetings whose stranger is not timed (the first requests warm the connections)."""


class Moments:
    """When something last happened, by key, with an event to wait for the next one."""

    def __init__(self) -> None:
        self._events: dict[str, asyncio.Event] = {}
        self.at: dict[str, float] = {}

    def expect(self, key: str) -> asyncio.Event:
        self._events[key] = asyncio.Event()
        return self._events[key]

    def happened(self, key: str, at: float) -> None:
        self.at[key] = at
        if key in self._events:
            self._events[key].set()


class RosterArrivals:
    """Bot middleware (outermost, in the bot's process) noting when each roster notification
    reached `/api/calls`, by call id; any answer but 202 is kept as a failure."""

    def __init__(self) -> None:
        self.at: dict[str, list[float]] = {}
        self.refused: list[int] = []

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.method != "POST" or request.path != "/api/calls":
            return await handler(request)
        arrived = time.perf_counter()
        body = json.loads(await request.read())
        response = await handler(request)
        if response.status != 202:
            self.refused.append(response.status)
        for notification in body["value"]:
            resource = notification["resourceUrl"]
            if resource.endswith("/participants"):
                call_id = resource.split(CALLS_PREFIX, 1)[1].split("/", 1)[0]
                self.at.setdefault(comparable_call_id(call_id), []).append(arrived)
        return response


class PatchClock(Moments):
    """Sandbox middleware noting when each onlineMeeting PATCH was handled, by meeting id."""

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        response = await handler(request)
        if request.method == "PATCH" and "/onlineMeetings/" in request.path:
            self.happened(request.path.rsplit("/", 1)[-1], time.perf_counter())
        return response


class BenchSettings(Settings):
    """The bot's settings for the run: its scratch database and keys, the sandbox tenant."""

    @cached_property
    def tenant(self) -> TenantSettings:
        return sandbox_tenant(self.port)


def free_port_pair() -> int:
    """A free port whose next port is free too (the sandbox goes there)."""
    while True:
        with socket.socket() as first:
            first.bind(("127.0.0.1", 0))
            port = int(first.getsockname()[1])
            with socket.socket() as second:
                try:
                    second.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
                return port


@asynccontextmanager
async def served(app: web.Application, port: int) -> AsyncIterator[None]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "localhost", port).start()
    try:
        yield
    finally:
        await runner.cleanup()


@dataclass(frozen=True)
class BenchMeeting:
    """One scheduled meeting: the store's id, the onlineMeeting, its live meeting and the
    bot's call in it (comparable call id)."""

    meeting_id: str
    online_meeting_id: str
    live: LiveMeeting
    call_id: str


async def schedule(store: Store, meetings: OnlineMeetings, number: int) -> tuple[str, str]:
    """A meeting everyone consented to be recorded, in the store and in Teams with the bot
    installed in its chat; its ids."""
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
    _, teams = await open_teams_meeting(
        meetings, COORDINATOR.object_id, planned.title, "", (start, planned.ends_at), ()
    )
    await lock_down_and_confirm(meetings, COORDINATOR.object_id, teams.id)
    await meetings.install_bot(teams.chat_thread_id)
    async with store.unit_of_work() as uow:
        row = await uow.meetings.add(planned, uow.now())
        row.teams_meeting_id, row.teams_chat_thread_id = teams.id, teams.chat_thread_id
        row.teams_settings_confirmed_at = uow.now()
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


async def until(check: Callable[[], Awaitable[bool]], what: str, seconds: float = 15.0) -> None:
    deadline = time.perf_counter() + seconds
    while not await check():
        if time.perf_counter() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


async def recording_allowed(store: Store, meeting: BenchMeeting) -> None:
    """Wait until the store notes Teams allowing recording."""

    async def allowed() -> bool:
        async with store.reading() as uow:
            return (await uow.meetings.get(meeting.meeting_id)).teams_recording_allowed is True

    await until(allowed, "recording to be allowed")


async def open_meeting(
    store: Store, sandbox: web.Application, meeting_id: str, online_meeting_id: str
) -> BenchMeeting:
    """Start the meeting in the sandbox (the bot joins its call), admit the parent and have
    the organiser record; recording must still be allowed after all that."""
    tenant, driver = sandbox[TENANT], sandbox[TEAMS]
    live = driver.create(online_meeting_id)
    await driver.start(online_meeting_id)

    def established() -> list[str]:
        calls = tenant.calls.live_in(live.thread_id)
        return [c.id for c in calls if c.state == "established"]

    async def bot_knows_its_call() -> bool:
        calls = established()
        if not calls:
            return False
        async with store.reading() as uow:
            return await MeetingCallRecords(uow.session).meeting_of(calls[0]) == meeting_id

    await until(bot_knows_its_call, "the bot to join the call")
    await driver.admit(online_meeting_id, PARENT_CARER.address)
    driver.start_recording(online_meeting_id, COORDINATOR.object_id)
    return BenchMeeting(meeting_id, online_meeting_id, live, comparable_call_id(established()[0]))


def roster_sent(calling: CallingService, live: LiveMeeting) -> float:
    calling.roster_changed(live.thread_id)
    return time.perf_counter()


@dataclass(frozen=True)
class Stranger:
    """One stranger's roster: its call, when the sandbox sent it and when the sandbox had
    handled the PATCH switching recording off."""

    call_id: str
    sent: float
    patched: float


async def stranger_arrives(
    sandbox: web.Application, patches: PatchClock, meeting: BenchMeeting, pause: float
) -> Stranger:
    """A stranger appears in the meeting after `pause`; wait for recording to be switched
    off."""
    tenant, calling = sandbox[TENANT], sandbox[CALLING]
    online_meeting = tenant.meetings.get(meeting.online_meeting_id)
    assert online_meeting is not None
    await asyncio.sleep(pause)
    account = tenant.teams_accounts.anonymous("Guest 4411")
    stranger = Attendance(account, "Attendee", invited=False, joined_at=tenant.now())
    patched = patches.expect(online_meeting.id)
    meeting.live.attendance[account.id] = stranger
    sent = roster_sent(calling, meeting.live)
    await asyncio.wait_for(patched.wait(), timeout=30)
    if online_meeting.allow_recording:
        raise RuntimeError("the PATCH did not switch recording off")
    return Stranger(meeting.call_id, sent, patches.at[online_meeting.id])


def bench_settings(port: int, database_url: str, keys: dict[str, str]) -> BenchSettings:
    return BenchSettings(
        _env_file=None,
        database_url=database_url,
        encryption_keys=SecretStr(keys["encryption_keys"]),
        encryption_key_id=keys["active_key_id"],
        blind_index_key=SecretStr(keys["blind_index_key"]),
        audit_key=SecretStr(keys["audit_key"]),
        PORT=port,
    )


async def serve_bot(port: int, database_url: str) -> None:
    """The bot as `serving_app` builds it, alone in this process, noting each roster's
    arrival; once told to stop, the arrivals (JSON) on stdout."""
    settings = bench_settings(port, database_url, run_key_settings())
    arrivals = RosterArrivals()
    bot = serving_app(settings, host="localhost")
    bot.middlewares.insert(0, arrivals.middleware)
    async with served(bot, port):
        await serve_until_told(f"http://localhost:{port}")
    print(json.dumps({"at": arrivals.at, "refused": arrivals.refused}), flush=True)


def first_after(moments: list[float], sent: float) -> float:
    return min(moment for moment in moments if moment >= sent)


async def run(engine: str, meeting_count: int, mean_pause: float, seed: int) -> float:
    port = free_port_pair()
    patches = PatchClock()
    keys = key_settings()
    async with scratch_database(engine) as url:
        progress(f"migrating a new {engine} database")
        await asyncio.to_thread(upgrade_to_head, url)
        settings = bench_settings(port, url, keys)
        tenant_settings = settings.tenant
        seeded = seeded_tenant()
        seeded.bot_endpoint = f"{tenant_settings.public_url}/api/messages"
        seeded.sandbox_url = sandbox_origin(port)
        seeded.prompt_time_scale = 0
        sandbox = create_sandbox_app(seeded, public_origin=sandbox_origin(port))
        sandbox.middlewares.append(patches.middleware)
        store = Store.open(url, settings.key_ring())
        try:
            async with (
                served(sandbox, port + 1),
                served_process(
                    THIS_SCRIPT, keys, "--serve", "--port", str(port), "--database-url", url
                ) as (_origin, told),
                open_tenant(tenant_settings) as clients,
            ):
                progress(f"scheduling {meeting_count} meetings; the bot joins each one's call")
                opened = []
                for number in range(meeting_count + WARM_UP):
                    meeting_id, online_id = await schedule(store, clients.meetings, number)
                    opened.append(await open_meeting(store, sandbox, meeting_id, online_id))
                await sandbox[CALLING].idle()
                for meeting in opened:
                    await recording_allowed(store, meeting)
                progress("warming up")
                for meeting in opened[:WARM_UP]:
                    await stranger_arrives(sandbox, patches, meeting, 0.0)
                progress(f"{meeting_count} meetings, a stranger's roster in each")
                rng = random.Random(seed)
                started = time.perf_counter()
                strangers = await asyncio.gather(
                    *(
                        stranger_arrives(sandbox, patches, m, rng.uniform(0, 2 * mean_pause))
                        for m in opened[WARM_UP:]
                    )
                )
                elapsed = time.perf_counter() - started
                await sandbox[CALLING].idle()
            seen = json.loads(await told.read())
        finally:
            await store.close()
    if seen["refused"]:
        raise RuntimeError(f"/api/calls refused notifications: {sorted(set(seen['refused']))}")
    timings = [(s.patched - first_after(seen["at"][s.call_id], s.sent)) * 1000 for s in strangers]
    from_sending = [(s.patched - s.sent) * 1000 for s in strangers]
    p95 = statistics.quantiles(timings, n=100)[94]
    print(f"engine: {engine}")
    print(
        "path: sandbox roster notification (calling JWT) POSTed to the bot's /api/calls, served"
        " alone in its own process -> JWT check, 202 -> inbox -> RecordingGuard -> Graph PATCH"
        " onlineMeeting to the sandbox in the bench's process, all over loopback; timed from"
        " the request reaching the bot app (outermost middleware) to the sandbox's PATCH"
        " handler returning; the stranger is put in the sandbox's live meeting without a join"
        " activity, so only the roster tells the bot"
    )
    print(
        f"meetings: {meeting_count}  stranger rosters: {len(timings)}  in {elapsed:.1f} s"
        f"  (each meeting: a pause of 0-{2 * mean_pause:g} s before its stranger)"
    )
    print(
        f"from_sandbox_sending_p50_ms: {statistics.median(from_sending):.1f}"
        f"  p95: {statistics.quantiles(from_sending, n=100)[94]:.1f}"
        f"  max: {max(from_sending):.1f}"
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
    parser.add_argument("--meetings", type=int, default=200)
    parser.add_argument("--mean-pause", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve_bot(args.port, args.database_url))
    else:
        asyncio.run(run(args.engine, args.meetings, args.mean_pause, args.seed))


if __name__ == "__main__":
    main()
