"""Benchmark: Teams activities signed as the Bot Framework channel signs them, posted over
loopback to the bot as it is served, and to a bare Agents SDK echo agent under the same load.

The bot side is the product: `LiveMeetings` (the `/api/messages`, `/api/calls` and `/prompts/`
endpoints) connected to the bot's Graph clients (`open_tenant`) against the seeded sandbox
tenant. Its 20 meetings are scheduled with `schedule_meeting` (Teams meeting, store, the bot
installed in the chat, consent requests sent), consent to recording and documents recorded
for each (one meeting in four: the parent carer refused the documents), Teams made to match
the gate, and each meeting started in the sandbox (the bot joins the call and opens it). Each
activity's token is the one the sandbox's channel signs for Teams. The load cycles through each
meeting's chat: invited people (the parent carer and SENCO, anonymously by name; the organiser)
and a stranger join, the stranger leaves (the recording guard: presence, the gate, Teams'
`allowRecording` switched off and on, the card, the spoken notice and the private notice when
the stranger comes in), and the organiser posts the proposed document and other files (the
document guard: Graph share look-up, revoke or acknowledgement, the post in the chat through
the sandbox's connector). Each file is put in the organiser's OneDrive just before it is
posted and taken out after the answer, so the sandbox's drives stay small.

The echo agent runs the SDK's JWT middleware with issuer checking on, gets its connector tokens
from the sandbox's Entra ID through the same off-loop msal provider, and answers every message
through a minimal local Bot Connector. Both take the same activities (the echo agent's with its
own connector as `serviceUrl`), at concurrency 50 and 5.

What runs where: the bot and the echo agent each serve alone in a process of their own (this
script with `--serve bot|echo`), as each would in production. The sandbox tenant, which stands
in for Microsoft 365, the echo agent's connector and the load generator share the bench's
process, so the tenant's own work (checking tokens, signing, composing mail) is not counted
against the bot, and the echo agent's connector is not counted against it either. The meetings
are scheduled by the bench (the bot's own use cases over a second store and Graph clients of
its own) before the load; the bot process takes everything Teams and Graph send from then on.

The bot answers Teams once an activity is stored in its inbox, and its guards handle it after
that, giving way to the requests being answered (`bot.foreground`: under a steady load they
take a turn a second, and catch up once the load stops). Each load therefore reports two
things: Teams' view (activities answered per second, and answer times), and activities
handled per second: the count over the time until the bot's inbox was empty (counted in its
store), with how long that took after the last answer. For the echo agent the two are the
same. Files are taken out of the sandbox's drives once the bot
has handled everything.

Targets: throughput at concurrency 50 at least half the echo agent's; p95 at concurrency 5 at
most twice the echo agent's. The last line reads `activities_vs_echo: R` (answered throughput
ratio at concurrency 50); the handled ratio is printed above it.

With `--strangers N`, during the bot's concurrency-50 flood the bench also sends, one a second
(up to N, while the flood lasts), the join of a person not on the attendee list, each to a
meeting of its own, scheduled like the others with every attendee's consent to recording, so
Teams allows recording there until the join. Each is timed from its join being answered to
the sandbox having handled the PATCH setting that meeting's `allowRecording` to false (a
sandbox middleware notes it). Target: p95 under 250 ms. The last line then reads
`stranger_join_p95_ms: N`.

    .venv/bin/python bench/activities.py [--activities 3000] [--engine sqlite|postgresql]
        [--strangers N]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import socket
import statistics
import time
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from microsoft_agents.activity import ActivityTypes
from microsoft_agents.hosting.aiohttp import CloudAdapter, jwt_authorization_middleware
from microsoft_agents.hosting.core import (
    AgentApplication,
    ApplicationOptions,
    ConnectionManager,
    MemoryStorage,
    TurnContext,
    TurnState,
)
from pydantic import SecretStr
from scratch import (
    key_settings,
    progress,
    run_key_ring,
    scratch_database,
    serve_until_told,
    served_process,
)
from sqlalchemy import select

from bot.agent.channel_endpoints import rerouted_token_providers, use_channel_keys
from bot.agent.endpoint import AGENT_CONFIGURATION, SERVICE_CONNECTION, channel_auth_configuration
from bot.config import ServiceProfile, TenantSettings
from bot.graph.tenant import TenantClients, open_tenant
from bot.heap import settle_heap
from bot.meeting_runtime import LiveMeetings
from bot.services.recording_enforcement import enforce_recording
from bot.services.scheduling import schedule_meeting
from bot.speech.espeak import EspeakBackend
from consent_store.keys import parse_key_ring
from consent_store.meeting_activities import MeetingActivities
from consent_store.migrate import upgrade_to_head
from consent_store.records import NewAttendee, NewDecision, NewDocument, NewMeeting
from consent_store.tables import DocumentRow
from consent_store.unit_of_work import Store
from domain.terms import AttendeeKind, AuthVerdict, Decision, DeclaredRole, Topic
from sandbox.app import create_sandbox_app
from sandbox.app_keys import CALLING, TEAMS, TENANT
from sandbox.botframework.tokens import channel_token as teams_channel_token
from sandbox.endpoints import tenant_endpoints
from sandbox.files import DriveItem, Grantee, ItemPermission
from sandbox.seed import (
    BOT_CATALOG_APP_ID,
    BOT_CLIENT_ID,
    BOT_CLIENT_SECRET,
    CONSENT_MAILBOX,
    COORDINATOR,
    PARENT_CARER,
    SENCO,
    TENANT_ID,
    seeded_tenant,
)
from sandbox.teams import activities
from sandbox.teams.accounts import TeamsAccount
from sandbox.teams.live_meetings import Attendance, LiveMeeting, invitee, meeting_role
from sandbox.tenant import Tenant

MEETING_CHATS = 20
WARM_UP = 200
CONCURRENCIES = (50, 5)
ISSUER = "https://api.botframework.com"
DOCUMENT_TITLE = "Draft EHC plan"
STEPS = (
    "join parent carer",
    "post the proposed document",
    "join SENCO",
    "post another file",
    "join stranger",
    "post the proposed document",
    "stranger leaves",
    "post another file",
    "join organiser",
    "post another file",
)
"""What happens in each meeting chat, in turn: half participant events, half files."""
BOT_SIDE = (
    "bot: LiveMeetings over open_tenant Graph clients, served alone in its own process (one "
    "event loop); the sandbox tenant (Entra ID, Graph, Bot Connector, calls) and the load in "
    f"the bench's process, on loopback; {MEETING_CHATS} meetings scheduled (bot installed, "
    "consent recorded, started, call joined); joins and leaves run the recording guard "
    "(presence, gate, allowRecording, notices), files the document guard (share look-up, "
    "revoke or acknowledge, chat post)"
)
ECHO_SIDE = (
    "echo: the SDK's echo agent (JWT middleware, issuer checking) served alone in its own "
    "process; its Bot Connector and Entra ID (the sandbox's) in the bench's process"
)


def local_connector() -> web.Application:
    """A Bot Connector that takes every post and reply and keeps nothing."""
    counter = itertools.count(1)

    async def accept(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({"id": str(next(counter))}, status=201)

    app = web.Application()
    app.router.add_post("/v3/conversations/{conversation}/activities", accept)
    app.router.add_post("/v3/conversations/{conversation}/activities/{activity}", accept)
    return app


def echo_agent(tenant: TenantSettings) -> web.Application:
    """The SDK's echo sample: every message answered with its text, through the connector."""
    configuration = channel_auth_configuration(tenant)
    connections = ConnectionManager(
        rerouted_token_providers(
            tenant.authority_host, tenant.authority_endpoint, tenant.graph_config()
        ),
        connections_configurations={SERVICE_CONNECTION: configuration},
    )
    adapter = CloudAdapter(connection_manager=connections)
    agent: AgentApplication[TurnState] = AgentApplication(
        ApplicationOptions(storage=MemoryStorage(), start_typing_timer=False),
        connection_manager=connections,
    )

    async def echo(context: TurnContext, _state: TurnState) -> None:
        await context.send_activity(f"You said: {context.activity.text}")

    async def ignore(_context: TurnContext, _state: TurnState) -> None:
        return None

    agent.activity(ActivityTypes.message)(echo)
    agent.activity(ActivityTypes.event)(ignore)

    async def messages(request: web.Request) -> web.StreamResponse:
        response = await adapter.process(request, agent)
        return response if response is not None else web.Response(status=500)

    app = web.Application(middlewares=[jwt_authorization_middleware])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", web.NotAppKeyWarning)
        app[AGENT_CONFIGURATION] = configuration
    app.router.add_post("/api/messages", messages)
    return app


@dataclass(frozen=True)
class Result:
    """One load: Teams' view (answers per second, answer times), and how long until the
    bot had handled everything it took in (for the echo agent, the same moment)."""

    throughput: float
    p50: float
    p95: float
    p99: float
    handled_throughput: float
    drain_seconds: float


@dataclass(frozen=True)
class BenchMeeting:
    """A scheduled, started meeting and the proposed document as it sits in OneDrive."""

    number: int
    online_meeting_id: str
    live: LiveMeeting
    document: DriveItem
    document_permissions: tuple[ItemPermission, ...]


Prepared = tuple[bytes, Callable[[], None]]
"""An activity's body, and what to undo in the sandbox once it has been handled."""


class Traffic:
    """The activities of the load, made as Teams makes them (`sandbox.teams.activities`)."""

    def __init__(self, tenant: Tenant, meetings: Sequence[BenchMeeting]) -> None:
        self._tenant = tenant
        self._meetings = meetings
        self._organiser = tenant.teams_accounts.resolve(COORDINATOR.object_id)
        owner = tenant.directory.user_by_object_id(COORDINATOR.object_id)
        assert owner is not None
        self._owner = owner
        self._strangers: dict[tuple[str, int, int], TeamsAccount] = {}

    def activity(self, run: str, index: int, service_url: str) -> Prepared:
        meeting = self._meetings[index % len(self._meetings)]
        cycle, step = divmod(index // len(self._meetings), len(STEPS))
        what = STEPS[step]
        if what == "join parent carer":
            return self._event(meeting, PARENT_CARER.address, None, service_url)
        if what == "join SENCO":
            return self._event(meeting, SENCO.address, None, service_url)
        if what == "join organiser":
            return self._event(meeting, COORDINATOR.object_id, None, service_url)
        if what in ("join stranger", "stranger leaves"):
            stranger = self._stranger(run, meeting.number, cycle)
            left = None if what == "join stranger" else self._tenant.now()
            return self._event(meeting, stranger.id, left, service_url)
        if what == "post the proposed document":
            return self._file(meeting, meeting.document, service_url, keep=True)
        item = self._tenant.files.share_in_chat(
            self._owner,
            f"Notes {run} {index}.docx",
            b"notes",
            "application/octet-stream",
            self._members(meeting),
            self._tenant.now(),
        )
        return self._file(meeting, item, service_url, keep=False)

    def stranger_joins(self, meeting: BenchMeeting, service_url: str) -> bytes:
        """A person not on the attendee list joining `meeting`: in the sandbox's live
        meeting, and the join event Teams sends the bot."""
        stranger = self._tenant.teams_accounts.anonymous(f"Guest {meeting.number}")
        online = self._tenant.meetings.get(meeting.online_meeting_id)
        assert online is not None
        meeting.live.attendance[stranger.id] = Attendance(
            account=stranger,
            role=meeting_role(online, stranger, None),
            invited=False,
            joined_at=self._tenant.now(),
        )
        body, _ = self._event(meeting, stranger.id, None, service_url)
        return body

    def _stranger(self, run: str, number: int, cycle: int) -> TeamsAccount:
        key = (run, number, cycle)
        if key not in self._strangers:
            self._strangers[key] = self._tenant.teams_accounts.anonymous(f"Visitor {cycle}")
        return self._strangers[key]

    def _members(self, meeting: BenchMeeting) -> list[Grantee]:
        chat = self._tenant.chats.get(meeting.live.thread_id)
        assert chat is not None
        return [Grantee(m.user_id, m.display_name, m.email) for m in chat.members]

    def _event(
        self, meeting: BenchMeeting, who: str, left: datetime | None, service_url: str
    ) -> Prepared:
        online = self._tenant.meetings.get(meeting.online_meeting_id)
        assert online is not None
        account = self._tenant.teams_accounts.resolve(who)
        invitation = invitee(online, account, who if "@" in who else None)
        attendance = Attendance(
            account=account,
            role=meeting_role(online, account, invitation),
            invited=invitation is not None or account.aad_object_id == online.organizer_id,
            joined_at=self._tenant.now(),
            left_at=left,
        )
        conversation = self._tenant.conversations.meeting_chat(meeting.live.thread_id)
        body = activities.participants_changed(self._tenant, conversation, meeting.live, attendance)
        return _encoded(body, service_url), _nothing

    def _file(
        self, meeting: BenchMeeting, item: DriveItem, service_url: str, *, keep: bool
    ) -> Prepared:
        tenant = self._tenant
        if keep:
            item.permissions[:] = [replace(p) for p in meeting.document_permissions]
        download_url = tenant.served_url(tenant.files.download_path(item))
        body = activities.message(
            tenant,
            tenant.conversations.meeting_chat(meeting.live.thread_id),
            self._organiser,
            f"{item.name} for the meeting",
            meeting=meeting.live,
            attachments=(activities.file_attachment(item, download_url),),
        )

        def undo() -> None:
            if keep:
                return
            drive = tenant.files.drive(item.drive_id)
            assert drive is not None
            drive.items.pop(item.id, None)

        return _encoded(body, service_url), undo


def _encoded(body: dict[str, Any], service_url: str) -> bytes:
    return json.dumps(body | {"serviceUrl": service_url}).encode()


def _nothing() -> None:
    return None


@dataclass(frozen=True)
class Target:
    name: str
    url: str
    token: str
    service_url: str
    waiting: Callable[[], Awaitable[int]]
    """How many activities the target has taken in and not yet handled."""


async def nothing_waiting() -> int:
    return 0


def inbox_of(store: Store) -> Callable[[], Awaitable[int]]:
    """The bot's activity inbox, counted in its store."""

    async def waiting() -> int:
        async with store.reading() as uow:
            return await MeetingActivities(uow.session).count()

    return waiting


async def load(
    http: aiohttp.ClientSession,
    target: Target,
    traffic: Traffic,
    run: str,
    count: int,
    concurrency: int,
    flood_over: asyncio.Event | None = None,
) -> Result:
    """Send `count` activities, `concurrency` at a time (setting `flood_over` once all are
    answered); then wait until the target has handled all it took in, and undo what the
    activities put in the sandbox."""
    headers = {"Authorization": f"Bearer {target.token}", "Content-Type": "application/json"}
    timings: list[float] = []
    undos: list[Callable[[], None]] = []
    queue = iter(range(count))

    async def worker() -> None:
        for index in queue:
            body, undo = traffic.activity(run, index, target.service_url)
            began = time.perf_counter()
            async with http.post(target.url, data=body, headers=headers) as response:
                await response.read()
                if response.status >= 300:
                    raise RuntimeError(f"{target.url} answered {response.status}")
            timings.append((time.perf_counter() - began) * 1000)
            undos.append(undo)

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    answered = time.perf_counter() - began
    if flood_over is not None:
        flood_over.set()
    while await target.waiting():  # noqa: ASYNC110 (the inbox is in the bot process's store)
        await asyncio.sleep(0.05)
    handled = time.perf_counter() - began
    for undo in undos:
        undo()
    cuts = statistics.quantiles(timings, n=100)
    return Result(
        count / answered,
        statistics.median(timings),
        cuts[94],
        cuts[98],
        count / handled,
        handled - answered,
    )


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
STRANGER_PATIENCE = 300.0
"""Seconds a stranger's join waits for recording to be switched off before it counts as
missed."""


class RecordingSwitchedOff:
    """Sandbox middleware noting when the sandbox has handled the first PATCH setting
    `allowRecording` to false on each onlineMeeting it is told to watch."""

    def __init__(self) -> None:
        self._watched: dict[str, asyncio.Event] = {}
        self.at: dict[str, float] = {}

    def watch(self, online_meeting_id: str) -> asyncio.Event:
        self._watched[online_meeting_id] = asyncio.Event()
        return self._watched[online_meeting_id]

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.method != "PATCH" or "/onlineMeetings/" not in request.path:
            return await handler(request)
        switched_off = json.loads(await request.read()).get("allowRecording") is False
        response = await handler(request)
        meeting_id = request.path.rsplit("/", 1)[-1]
        if switched_off and response.status < 300 and meeting_id not in self.at:
            watched = self._watched.get(meeting_id)
            if watched is not None:
                self.at[meeting_id] = time.perf_counter()
                watched.set()
        return response


@dataclass(frozen=True)
class StrangerTimings:
    """Milliseconds from each stranger's join being answered to recording being switched
    off, and how many joins saw no switch within `STRANGER_PATIENCE`."""

    milliseconds: list[float]
    missed: int


async def strangers_join(
    target: Target,
    traffic: Traffic,
    tenant: Tenant,
    meetings: Sequence[BenchMeeting],
    switches: RecordingSwitchedOff,
    flood_over: asyncio.Event,
) -> StrangerTimings:
    """One stranger's join a second, each to the next of `meetings`, until the flood is over
    or the meetings run out; then wait for each meeting's recording to be switched off. The
    joins go on a connection of their own, as Teams' would: the flood's session holds all its
    connections, and a join queued behind them would be timed from a late answer."""
    headers = {"Authorization": f"Bearer {target.token}", "Content-Type": "application/json"}
    answered: dict[str, float] = {}
    switched: list[asyncio.Event] = []
    http = aiohttp.ClientSession()
    began = time.perf_counter()
    try:
        for number, meeting in enumerate(meetings):
            online = tenant.meetings.get(meeting.online_meeting_id)
            assert online is not None
            if not online.allow_recording:
                raise RuntimeError("a stranger's meeting did not allow recording before the join")
            body = traffic.stranger_joins(meeting, target.service_url)
            switched.append(switches.watch(meeting.online_meeting_id))
            async with http.post(target.url, data=body, headers=headers) as response:
                await response.read()
                if response.status >= 300:
                    raise RuntimeError(f"{target.url} answered {response.status} to a stranger")
            answered[meeting.online_meeting_id] = time.perf_counter()
            if flood_over.is_set():
                break
            pause = began + number + 1 - time.perf_counter()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(flood_over.wait(), max(pause, 0))
                break
    finally:
        await http.close()
    if not answered:
        return StrangerTimings([], 0)
    deadline = max(answered.values()) + STRANGER_PATIENCE
    for event in switched:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), max(deadline - time.perf_counter(), 0))
    return StrangerTimings(
        [(switches.at[m] - at) * 1000 for m, at in answered.items() if m in switches.at],
        sum(1 for m in answered if m not in switches.at),
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bot_tenant(sandbox_origin: str, bot_origin: str) -> TenantSettings:
    """The bot's settings for the sandbox tenant, as `bot.serving.sandbox_tenant` makes them."""
    return TenantSettings(
        _env_file=None,
        tenant_id=TENANT_ID,
        bot_app_id=BOT_CLIENT_ID,
        bot_app_secret=SecretStr(BOT_CLIENT_SECRET),
        consent_mailbox=CONSENT_MAILBOX.mail,
        teams_catalog_app_id=BOT_CATALOG_APP_ID,
        public_url=bot_origin,
    ).model_copy(update=tenant_endpoints(sandbox_origin))


async def schedule(
    store: Store, clients: TenantClients, sandbox: web.Application, number: int
) -> BenchMeeting:
    """A meeting scheduled as staff schedule it, with the proposed document in the organiser's
    OneDrive, consent recorded, Teams matched to the gate, and the meeting started."""
    tenant = sandbox[TENANT]
    owner = tenant.directory.user_by_object_id(COORDINATOR.object_id)
    assert owner is not None
    invited = [Grantee(None, p.display_name, p.address) for p in (PARENT_CARER, SENCO)]
    document = tenant.files.share_in_chat(
        owner,
        f"{DOCUMENT_TITLE}.docx",
        b"the draft",
        "application/octet-stream",
        invited,
        tenant.now(),
    )
    start = datetime.now(UTC) + timedelta(days=1)
    scheduled = await schedule_meeting(
        store,
        clients.meetings,
        clients.mailbox,
        ServiceProfile(),
        NewMeeting(
            title=f"Planning meeting {number}",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            organiser_user_id=COORDINATOR.object_id,
            declared_role=DeclaredRole.SUPPORT,
            recording_requested=True,
            attendees=(
                NewAttendee(
                    PARENT_CARER.display_name, PARENT_CARER.address, AttendeeKind.PARENT_CARER
                ),
                NewAttendee(SENCO.display_name, SENCO.address, AttendeeKind.PROFESSIONAL),
            ),
            documents=(NewDocument(DOCUMENT_TITLE, document.web_url),),
        ),
        COORDINATOR.display_name,
    )
    documents_refused = number % 4 == 3
    async with store.unit_of_work() as uow:
        row = await uow.meetings.get(scheduled.meeting_id)
        document_ids = tuple(
            await uow.session.scalars(
                select(DocumentRow.id).where(DocumentRow.meeting_id == row.id)
            )
        )
        for attendee in await uow.meetings.attendees(row.id):
            topics = [(Topic.RECORDING, Decision.GIVEN)]
            if attendee.kind == AttendeeKind.PARENT_CARER.value:
                agreed = Decision.REFUSED if documents_refused else Decision.GIVEN
                topics.append((Topic.DOCUMENTS, agreed))
            for topic, decision in topics:
                await uow.meetings.add_decision(
                    NewDecision(
                        meeting_id=row.id,
                        attendee_id=attendee.id,
                        topic=topic,
                        decision=decision,
                        received_at=uow.now(),
                        auth=AuthVerdict.PASS,
                        sender_matches=True,
                        decided_by="email",
                        documents_covered=document_ids if topic is Topic.DOCUMENTS else (),
                    ),
                    uow.now(),
                )
        online_meeting_id = row.teams_meeting_id
        await uow.commit()
    assert online_meeting_id is not None
    await enforce_recording(
        store, clients.meetings, scheduled.meeting_id, cause="decision", mailbox=clients.mailbox
    )
    driver = sandbox[TEAMS]
    live = driver.create(online_meeting_id)
    await driver.start(online_meeting_id)
    return BenchMeeting(
        number, online_meeting_id, live, document, tuple(replace(p) for p in document.permissions)
    )


@asynccontextmanager
async def served(app: web.Application, port: int = 0) -> AsyncIterator[str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


def channel_token(tenant: Tenant, service_url: str) -> str:
    """A channel token as Teams signs it, for the echo agent's own connector."""
    now = int(time.time())
    claims = {"serviceurl": service_url, "nbf": now, "exp": now + 3600}
    return tenant.bot_framework_key.sign(claims | {"iss": ISSUER, "aud": BOT_CLIENT_ID})


def line(name: str, concurrency: int, result: Result) -> str:
    return (
        f"{name} concurrency {concurrency}: {result.throughput:.0f} activities/s answered  "
        f"p50 {result.p50:.1f} ms  p95 {result.p95:.1f} ms  p99 {result.p99:.1f} ms  "
        f"{result.handled_throughput:.0f}/s handled (last handled "
        f"{result.drain_seconds:.1f} s after the last answer)"
    )


THIS_SCRIPT = Path(__file__).resolve()


async def serve_bot(port: int, sandbox_origin: str, database_url: str) -> None:
    """The bot as served, alone in this process: `LiveMeetings` over its Graph clients."""
    store = Store.open(database_url, run_key_ring())
    tenant = bot_tenant(sandbox_origin, f"http://127.0.0.1:{port}")
    live = LiveMeetings(store, tenant, ServiceProfile(), "bench", EspeakBackend())
    bot_app = web.Application()
    live.attach(bot_app)
    try:
        async with served(bot_app, port), open_tenant(tenant) as clients:
            live.connect(clients)
            settle_heap()  # as the served application's last start-up step (`bot.bootstrap`)
            await serve_until_told(f"http://127.0.0.1:{port}")
            await live.close()
    finally:
        await store.close()


async def serve_echo(port: int, sandbox_origin: str) -> None:
    """The echo agent, alone in this process, checking channel tokens against the sandbox."""
    tenant = bot_tenant(sandbox_origin, f"http://127.0.0.1:{port}")
    use_channel_keys(tenant.bot_framework_keys_url)
    async with served(echo_agent(tenant), port) as origin:
        await serve_until_told(origin)


@asynccontextmanager
async def agent_process(
    what: str, port: int, sandbox_origin: str, keys: dict[str, str], *extra: str
) -> AsyncIterator[str]:
    """`serve_bot` or `serve_echo` in a process of its own; yields the origin it serves at."""
    async with served_process(
        THIS_SCRIPT,
        keys,
        "--serve",
        what,
        "--port",
        str(port),
        "--sandbox-origin",
        sandbox_origin,
        *extra,
    ) as (origin, _rest):
        yield origin


async def run(engine: str, count: int, stranger_count: int) -> None:
    sandbox_tenant = seeded_tenant()
    sandbox_tenant.prompt_time_scale = 0
    sandbox = create_sandbox_app(sandbox_tenant)
    switches = RecordingSwitchedOff()
    sandbox.middlewares.append(switches.middleware)
    strangers: StrangerTimings | None = None
    bot_port = free_port()
    bot_origin = f"http://127.0.0.1:{bot_port}"
    results: dict[tuple[str, int], Result] = {}
    keys = key_settings()
    async with (
        scratch_database(engine) as url,
        served(sandbox) as sandbox_origin,
        served(local_connector()) as connector_origin,
    ):
        sandbox_tenant.sandbox_url = sandbox_origin
        sandbox_tenant.bot_endpoint = f"{bot_origin}/api/messages"
        progress(f"migrating a new {engine} database")
        await asyncio.to_thread(upgrade_to_head, url)
        progress("starting the bot and the echo agent in processes of their own")
        async with (
            agent_process("bot", bot_port, sandbox_origin, keys, "--database-url", url),
            agent_process("echo", free_port(), sandbox_origin, keys) as echo_origin,
            aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=max(CONCURRENCIES))) as http,
        ):
            progress(f"scheduling and starting {MEETING_CHATS} meetings")
            store = Store.open(url, parse_key_ring(**keys))
            async with open_tenant(bot_tenant(sandbox_origin, bot_origin)) as clients:
                meetings = [
                    await schedule(store, clients, sandbox, n) for n in range(MEETING_CHATS)
                ]
                if stranger_count:
                    progress(f"scheduling and starting {stranger_count} meetings for strangers")
                stranger_meetings = [
                    await schedule(store, clients, sandbox, MEETING_CHATS + n)
                    for n in range(stranger_count)
                ]
            await sandbox[CALLING].idle()
            traffic = Traffic(sandbox_tenant, meetings)
            echo_service_url = f"{connector_origin}/"
            targets = (
                Target(
                    "bot",
                    f"{bot_origin}/api/messages",
                    teams_channel_token(sandbox_tenant),
                    sandbox_tenant.connector_url,
                    inbox_of(store),
                ),
                Target(
                    "echo",
                    f"{echo_origin}/api/messages",
                    channel_token(sandbox_tenant, echo_service_url),
                    echo_service_url,
                    nothing_waiting,
                ),
            )
            for target in targets:
                progress(f"warming up {target.name}")
                await load(http, target, traffic, f"warm-{target.name}", WARM_UP, 5)
            busiest = max(CONCURRENCIES)
            for concurrency in CONCURRENCIES:
                for target in targets:
                    progress(f"{target.name} at concurrency {concurrency}: {count} activities")
                    flood_over = asyncio.Event()
                    flood = load(
                        http,
                        target,
                        traffic,
                        f"{target.name}{concurrency}",
                        count,
                        concurrency,
                        flood_over,
                    )
                    if stranger_meetings and target.name == "bot" and concurrency == busiest:
                        results[target.name, concurrency], strangers = await asyncio.gather(
                            flood,
                            strangers_join(
                                target,
                                traffic,
                                sandbox_tenant,
                                stranger_meetings,
                                switches,
                                flood_over,
                            ),
                        )
                    else:
                        results[target.name, concurrency] = await flood
            await sandbox[CALLING].idle()
            await store.close()
    print(f"engine: {engine}  activities per run: {count}  meeting chats: {MEETING_CHATS}")
    print(BOT_SIDE)
    print(ECHO_SIDE)
    for concurrency in CONCURRENCIES:
        for name in ("bot", "echo"):
            print(line(name, concurrency, results[name, concurrency]))
    busy, calm = max(CONCURRENCIES), min(CONCURRENCIES)
    throughput_ratio = results["bot", busy].throughput / results["echo", busy].throughput
    p95_ratio = results["bot", calm].p95 / results["echo", calm].p95
    handled_ratio = (
        results["bot", busy].handled_throughput / results["echo", busy].handled_throughput
    )
    print(f"throughput_ratio_concurrency_{busy}: {throughput_ratio:.2f}  (target >= 0.5)")
    print(f"handled_ratio_concurrency_{busy}: {handled_ratio:.2f}")
    print(f"p95_ratio_concurrency_{calm}: {p95_ratio:.2f}  (target <= 2.0)")
    print(f"activities_vs_echo: {throughput_ratio:.2f}")
    if strangers is not None:
        print_strangers(strangers, stranger_count, busy)


def print_strangers(strangers: StrangerTimings, prepared: int, concurrency: int) -> None:
    """The stranger joins' figures; the last line is their p95 (interpolated within the
    timings: a few dozen joins are too few to reach beyond the slowest)."""
    joins = len(strangers.milliseconds) + strangers.missed
    if len(strangers.milliseconds) < 2:
        raise RuntimeError(
            f"{joins} stranger joins, {strangers.missed} of them never switched off: too few"
            " for a p95 (a longer flood, --activities, gives more)"
        )
    print(
        f"stranger joins during the bot's concurrency-{concurrency} flood: {joins} (one a"
        f" second, {prepared} meetings prepared), timed from the join's answer to the sandbox"
        " having the allowRecording false PATCH"
    )
    timings = strangers.milliseconds + [STRANGER_PATIENCE * 1000] * strangers.missed
    if strangers.missed:
        print(
            f"stranger joins not switched off within {STRANGER_PATIENCE:.0f} s:"
            f" {strangers.missed} (counted as {STRANGER_PATIENCE:.0f} s: the p95 below is a"
            " lower bound)"
        )
    print(f"stranger_join_p50_ms: {statistics.median(timings):.1f}")
    print(f"stranger_join_max_ms: {max(timings):.1f}")
    p95 = statistics.quantiles(timings, n=100, method="inclusive")[94]
    print(f"stranger_join_p95_ms: {p95:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--activities", type=int, default=3000)
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--strangers",
        type=int,
        default=0,
        help="meetings prepared for a stranger's join each second of the concurrency-50 flood",
    )
    parser.add_argument("--serve", choices=("bot", "echo"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--sandbox-origin", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.serve == "bot":
        asyncio.run(serve_bot(arguments.port, arguments.sandbox_origin, arguments.database_url))
    elif arguments.serve == "echo":
        asyncio.run(serve_echo(arguments.port, arguments.sandbox_origin))
    else:
        asyncio.run(run(arguments.engine, arguments.activities, arguments.strangers))


if __name__ == "__main__":
    main()
