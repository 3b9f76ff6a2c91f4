"""The adversary's world: the bot served as `iass-bot serve` serves it, in a process of its own
(`tests.invariants.bot_process`), pointed at a sandbox tenant served here through the same
settings production uses; a database on SQLite or PostgreSQL; and one meeting at a time
driven only as people, Teams and a bad day would drive it.

Actions: invitees reply by email (yes, no, withdrawal, or words the bot must send to the
review queue), staff confirm those in the review queue, the meeting starts early or late
(meetings are scheduled a few seconds or a minute ahead, and time passes), invitees and
strangers join and leave, the organiser presses record, Graph fails (429, 500, 502, 503, 504,
slowness), the store goes away and comes back, and the bot is stopped or killed and started
again over the same database and sandbox.

After every action the harness checks, against its own `MeetingModel`:

- Teams never switches recording on after the real start (the sandbox keeps every change of
  the onlineMeeting's `allowRecording`).
- A recording is never started while the model does not permit it, unless the step that
  closed the gate was less than `GRACE_SECONDS` ago.
- Whenever the model does not permit recording, Teams stops allowing it within
  `GRACE_SECONDS` of wall time once the faults have stopped (the Graph faults, a store outage,
  a bot that is not yet serving).
- After `calm` (faults stopped), before the real start, Teams allows recording within
  `CONVERGE_SECONDS` when the model permits it. After the real start the bot may keep
  recording off although the model would permit it: that is safe, and not checked.

Everything runs on one event loop on a thread of its own (`LoopThread`), so the synchronous
hypothesis state machine and the benchmark call the same coroutines.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any, Literal, TypeVar
from urllib.parse import quote

import aiohttp
import asyncpg
from aiohttp import web

from bot.config import ServiceProfile, TenantSettings
from bot.graph.tenant import TenantClients, open_tenant
from bot.policy.recording_gate import SWITCH_ON_MARGIN
from bot.services.scheduling import schedule_meeting
from bot.serving import sandbox_origin, sandbox_tenant
from consent_store.keys import KeyRing, new_key, parse_key_ring
from consent_store.migrate import upgrade_to_head
from consent_store.unit_of_work import Store
from sandbox.app import create_sandbox_app
from sandbox.endpoints import environment as sandbox_environment
from sandbox.meetings import OnlineMeeting
from sandbox.seed import COORDINATOR, PARENT_CARER, SENCO, SEND_OFFICER, seeded_tenant
from sandbox.tenant import Tenant
from tests import databases
from tests.invariants.bot_process import OUTAGE_FLAG
from tests.invariants.model import Answer, CountedAnswer, MeetingModel
from tests.served_bot import free_port_pair
from tests.tenant_flows.conftest import parent_and_school_meeting
from tests.web.staff_site import forms_in

T = TypeVar("T")
Engine = Literal["sqlite", "postgresql"]
ReplyKind = Literal["yes", "no", "withdraw", "unclear"]

START_NOTICE = timedelta(seconds=2)
"""How long after the real start a switch on still counts as made before it. Teams has no
conditional update, so a switch on that the bot decided just before the meeting started can
land just after it; that is a violation only if the rule did not permit recording then, or if
it lands later than this (the bot reads Teams' record of the start before every switch on)."""
GRACE_SECONDS = 10.0
"""How long Teams may go on allowing recording after the model stops permitting it, counted
from the later of the closing step and the end of the faults."""
CONVERGE_SECONDS = 10.0
"""How long Teams may take to allow recording once the model permits it, faults stopped."""
BOT_START_SECONDS = 60.0
FAULT_SECONDS = 3.0
"""How long injected Graph faults (and slowness) last, unless `calm` stops them sooner."""
NEAR_START = (timedelta(seconds=0.4), timedelta(seconds=1.2))
"""No email is sent this close before or after the scheduled start, so which side of it an
email arrived on is never in doubt (mail is stamped to the second)."""

ORGANISER = COORDINATOR.object_id
INVITEES = (PARENT_CARER.address, SENCO.address)
STRANGERS: dict[str, dict[str, str]] = {
    "anonymous": {"anonymousName": "Pat Stranger"},
    "uninvited": {"user": SEND_OFFICER.address},
    "impostor": {"anonymousName": PARENT_CARER.display_name},
}
ADMITTED_BY_NAME = frozenset({"impostor"})
"""Joiners the rule counts as the invitee whose display name they give. Invited people outside
the tenant join anonymously, known to Teams only by the name they type, so the product matches
them by name (`bot/policy/participant_match.py`); the check that they are who they say is the
organiser admitting them from the lobby, which every meeting has. The harness plays an
organiser who admits them, so the rule, like the product, takes them as the parent carer."""
REPLIES: dict[ReplyKind, str] = {
    "yes": "Yes",
    "no": "No thanks",
    "withdraw": "I withdraw my consent",
    "unclear": "Yes as long as the recording is deleted afterwards",
}
ANSWERS: dict[ReplyKind, Answer] = {"yes": "given", "no": "refused", "withdraw": "withdrawn"}
GRAPH_STATUSES = (429, 500, 502, 503, 504)


class InvariantViolation(AssertionError):
    """Teams allowed recording when the rule does not permit it, or did not follow the rule."""


class SwitchedOnAfterStart(InvariantViolation):
    pass


class RecordingStartedWithoutConsent(InvariantViolation):
    pass


class AllowedWithoutConsent(InvariantViolation):
    pass


class DidNotConverge(InvariantViolation):
    pass


REPO_ROOT = Path(__file__).resolve().parents[2]


def now() -> datetime:
    return datetime.now(UTC)


async def within(seconds: float, check: Callable[[], bool]) -> bool:
    """Whether `check` holds, looking every 50 ms for up to `seconds`."""
    deadline = time.monotonic() + seconds
    for _ in range(math.ceil(seconds / 0.05)):
        if check() or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.05)
    return check()


class LoopThread:
    """An event loop on a thread of its own; `call` runs a coroutine there and waits."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def call(self, coroutine: Coroutine[Any, Any, T], timeout: float = 300.0) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.loop.close()


class BotProcess:
    """The bot in its own process, with a spare already imported for the next start."""

    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        self._env = env
        self._workdir = workdir
        self._spare = self._spawn()
        self.current: subprocess.Popen[str] | None = None
        self.starts = 0

    def _spawn(self) -> subprocess.Popen[str]:
        log: IO[str] = (self._workdir / f"bot-{uuid.uuid4().hex[:8]}.log").open("w")
        return subprocess.Popen(
            [sys.executable, "-m", "tests.invariants.bot_process"],
            cwd=self._workdir,
            env=self._env,
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def start(self) -> None:
        process, self._spare = self._spare, self._spawn()
        assert process.stdin is not None
        process.stdin.write("serve\n")
        process.stdin.flush()
        self.current = process
        self.starts += 1

    def stop(self, *, crash: bool) -> None:
        process, self.current = self.current, None
        if process is None:
            return
        if crash:
            process.kill()
        else:
            process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def exited(self) -> bool:
        return self.current is not None and self.current.poll() is not None

    def close(self) -> None:
        self.stop(crash=True)
        self._spare.kill()
        self._spare.wait()


@dataclass
class Figures:
    steps: int = 0
    violations: list[InvariantViolation] = field(default_factory=list)
    longest_disagreement_seconds: float = 0.0
    longest_disagreement_after_faults_seconds: float = 0.0

    def disagreed(self, total: float, after_faults: float) -> None:
        self.longest_disagreement_seconds = max(self.longest_disagreement_seconds, total)
        self.longest_disagreement_after_faults_seconds = max(
            self.longest_disagreement_after_faults_seconds, after_faults
        )


class World:
    """The served bot, the sandbox tenant and the database, for many meetings in turn."""

    def __init__(self, engine: Engine, workdir: Path) -> None:
        self.engine = engine
        self.workdir = workdir
        self.port = free_port_pair()
        self.tenant_settings: TenantSettings = sandbox_tenant(self.port)
        self.tenant: Tenant = seeded_tenant()
        self.tenant.prompt_time_scale = 0.0
        self.outage_flag = workdir / "store-outage"
        self.outage = False
        self.faults_until = 0.0
        self.bot_ready_since: float | None = None
        self.bot_starting_since: float | None = None
        self.figures = Figures()
        self._pg_name: str | None = None
        self._runner: web.AppRunner | None = None
        self._watcher: asyncio.Task[None] | None = None
        self._http: aiohttp.ClientSession | None = None
        self._staff: aiohttp.ClientSession | None = None
        self._clients: contextlib.AsyncExitStack | None = None
        self.clients: TenantClients | None = None
        self.store: Store | None = None
        self.bot: BotProcess | None = None
        self.key_ring: KeyRing | None = None

    # --- lifetime ----------------------------------------------------------------------

    async def open_tenant(self) -> dict[str, str]:
        """Everything but the bot: its database and keys, the sandbox tenant on the port above
        `self.port`, the test's own clients of it; returns the environment a bot process of
        this world runs with (without `PORT`)."""
        url = await self._database()
        keys = {
            "IASS_ENCRYPTION_KEYS": f"k1:{new_key()}",
            "IASS_ENCRYPTION_KEY_ID": "k1",
            "IASS_BLIND_INDEX_KEY": new_key(),
            "IASS_AUDIT_KEY": new_key(),
            "IASS_SESSION_KEY": new_key(),
        }
        self.key_ring = parse_key_ring(
            encryption_keys=keys["IASS_ENCRYPTION_KEYS"],
            active_key_id="k1",
            blind_index_key=keys["IASS_BLIND_INDEX_KEY"],
            audit_key=keys["IASS_AUDIT_KEY"],
        )
        self.store = Store.open(url, self.key_ring)
        tenant = self.tenant_settings
        self.tenant.bot_endpoint = f"{tenant.public_url}/api/messages"
        origin = sandbox_origin(self.port)
        self.tenant.sandbox_url = origin
        self._runner = web.AppRunner(create_sandbox_app(self.tenant, public_origin=origin))
        await self._runner.setup()
        await web.TCPSite(self._runner, "localhost", self.port + 1).start()
        self._http = aiohttp.ClientSession()
        self._staff = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self._clients = contextlib.AsyncExitStack()
        self.clients = await self._clients.enter_async_context(open_tenant(tenant))
        env = {k: v for k, v in os.environ.items() if not k.startswith("IASS_")}
        env.update(keys)
        env.update(
            {
                "IASS_DATABASE_URL": url,
                "IASS_HOST": "localhost",
                "IASS_TENANT_ID": tenant.tenant_id,
                "IASS_BOT_APP_ID": tenant.bot_app_id,
                "IASS_BOT_APP_SECRET": tenant.bot_app_secret.get_secret_value(),
                "IASS_CONSENT_MAILBOX": tenant.consent_mailbox,
                "IASS_TEAMS_CATALOG_APP_ID": tenant.teams_catalog_app_id,
                "IASS_PUBLIC_URL": tenant.public_url,
                **sandbox_environment(origin),
                "PYTHONPATH": str(REPO_ROOT),
            }
        )
        return env

    async def open(self) -> None:
        env = await self.open_tenant()
        env["PORT"] = str(self.port)
        if self.engine == "sqlite":
            env[OUTAGE_FLAG] = str(self.outage_flag)
        self.bot = BotProcess(env, self.workdir)
        self._start_bot()
        self._watcher = asyncio.create_task(self._watch_bot())
        await self.until_bot_ready(BOT_START_SECONDS)
        await self._until(self._subscribed, BOT_START_SECONDS, "the bot never subscribed")

    async def close(self) -> None:
        await self.end_outage()
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
        if self.bot is not None:
            self.bot.close()
        if self._clients is not None:
            await self._clients.aclose()
        for session in (self._http, self._staff):
            if session is not None:
                await session.close()
        if self._runner is not None:
            await self._runner.cleanup()
        if self.store is not None:
            await self.store.close()
        if self._pg_name is not None:
            await databases.drop_postgres_database(self._pg_name)

    async def _database(self) -> str:
        if self.engine == "sqlite":
            url = f"sqlite+aiosqlite:///{self.workdir / 'bot.db'}"
        else:
            self._pg_name = await databases.create_postgres_database()
            url = databases.sqlalchemy_url(self._pg_name)
        await asyncio.to_thread(upgrade_to_head, url)
        return url

    # --- the bot process -----------------------------------------------------------------

    @property
    def http(self) -> aiohttp.ClientSession:
        assert self._http is not None
        return self._http

    def _start_bot(self) -> None:
        assert self.bot is not None
        self.bot.start()
        self.bot_ready_since = None
        self.bot_starting_since = time.monotonic()

    async def _watch_bot(self) -> None:
        """Like a service manager: a bot process that exits is started again; and notes when a
        started bot answers its health check."""
        assert self.bot is not None
        while True:
            if self.bot.exited():
                self._start_bot()
            if self.bot_ready_since is None and await self._healthy():
                self.bot_ready_since = time.monotonic()
            await asyncio.sleep(0.1)

    async def _healthy(self) -> bool:
        try:
            async with self.http.get(f"{self.tenant_settings.public_url}/healthz") as response:
                return response.status == 200
        except aiohttp.ClientError:
            return False

    async def until_bot_ready(self, seconds: float) -> None:
        await self._until(self._bot_ready, seconds, "the bot did not start")

    async def _bot_ready(self) -> bool:
        return self.bot_ready_since is not None

    async def _subscribed(self) -> bool:
        return bool(self.tenant.subscriptions.live_for_app(self.tenant.bot.client_id, now()))

    async def restart_bot(self, *, crash: bool) -> None:
        assert self.bot is not None
        self.bot.stop(crash=crash)
        self._start_bot()

    # --- faults ----------------------------------------------------------------------------

    async def graph_fault(
        self, status: int, count: int, target: str | None, slow_seconds: float = 0.0
    ) -> None:
        """The next `count` Graph requests to `target` (the recording setting, the mailbox,
        or any) fail with `status`, and every request takes `slow_seconds` longer, for
        `FAULT_SECONDS`."""
        method, path = {
            "recording": ("PATCH", "onlineMeetings"),
            "mail": ("GET", "messages"),
            None: (None, None),
        }[target]
        faults = self.tenant.faults
        if status == 429:
            faults.throttle(count, retry_after_seconds=1, method=method, path_contains=path)
        else:
            faults.fail(count, status=status, method=method, path_contains=path)
        faults.latency_seconds = slow_seconds
        self.faults_until = time.monotonic() + FAULT_SECONDS

    async def begin_outage(self) -> None:
        self.outage = True
        if self.engine == "sqlite":
            self.outage_flag.touch()
            return
        await self._admin(
            f'ALTER DATABASE "{self._pg_name}" ALLOW_CONNECTIONS false',
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = '{self._pg_name}' AND pid <> pg_backend_pid()",
        )

    async def end_outage(self) -> None:
        if not self.outage:
            return
        self.outage = False
        if self.engine == "sqlite":
            self.outage_flag.unlink(missing_ok=True)
            return
        await self._admin(f'ALTER DATABASE "{self._pg_name}" ALLOW_CONNECTIONS true')

    async def _admin(self, *statements: str) -> None:
        connection = await asyncpg.connect(databases.ADMIN_URL)
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    def faults_active(self) -> bool:
        """Whether anything is still failing; Graph faults end `FAULT_SECONDS` after the last
        was injected."""
        if self.faults_until and time.monotonic() >= self.faults_until:
            self.tenant.faults.clear()
            self.faults_until = 0.0
        return self.outage or bool(self.faults_until) or self.bot_ready_since is None

    async def calm(self) -> None:
        """Stop every fault, and wait until the bot serves again."""
        self.tenant.faults.clear()
        self.faults_until = 0.0
        await self.end_outage()
        await self.until_bot_ready(BOT_START_SECONDS)

    def step_done(self) -> None:
        self.figures.steps += 1

    # --- staff ---------------------------------------------------------------------------

    async def staff_page(self, path: str, form: dict[str, str] | None = None) -> str | None:
        """A staff page (or a form posted to it) as the organiser, signing in when needed;
        None when the bot did not answer with the page."""
        assert self._staff is not None
        url = f"{self.tenant_settings.public_url}{path}"
        for _ in range(2):
            try:
                if form is None:
                    response = await self._staff.get(url, allow_redirects=False)
                else:
                    response = await self._staff.post(url, data=form, allow_redirects=False)
            except aiohttp.ClientError:
                return None
            async with response:
                location = response.headers.get("Location", "")
                if response.status == 303 and "sign-in" in location:
                    await self._sign_in()
                    continue
                if response.status in (200, 303):
                    return await response.text() if response.status == 200 else location
                return None
        return None

    async def _sign_in(self) -> None:
        assert self._staff is not None
        client, base = self._staff, self.tenant_settings.public_url
        to_sign_in = await client.get(f"{base}/tab", allow_redirects=False)
        to_entra = await client.get(
            f"{base}{to_sign_in.headers['Location']}", allow_redirects=False
        )
        page = await client.get(to_entra.headers["Location"])
        (choose,) = forms_in(await page.text())
        chosen = await client.post(
            sandbox_origin(self.port) + choose.action,
            data={**choose.fields, "account": ORGANISER, "decision": "accept"},
        )
        (answer,) = forms_in(await chosen.text())
        async with client.post(answer.action, data=answer.fields, allow_redirects=False):
            pass

    # --- helpers ---------------------------------------------------------------------------

    async def _until(self, check: Callable[[], Awaitable[bool]], seconds: float, why: str) -> None:
        deadline = time.monotonic() + seconds
        while not await check():
            if time.monotonic() > deadline:
                raise RuntimeError(why)
            await asyncio.sleep(0.05)

    def control_url(self, path: str) -> str:
        return f"{sandbox_origin(self.port)}/sandbox/api{path}"

    async def control(
        self, method: str, path: str, body: dict[str, Any] | None = None
    ) -> tuple[int, Any]:
        async with self.http.request(method, self.control_url(path), json=body) as response:
            if response.content_type == "application/json":
                return response.status, await response.json()
            return response.status, None


@dataclass
class Unclear:
    """An email the bot must send to staff: who sent it and when it arrived."""

    person: str
    received_at: datetime


class Meeting:
    """One meeting played against the bot, with the model of what must follow."""

    def __init__(self, world: World, starts_in_seconds: int) -> None:
        self.world = world
        self.starts_in_seconds = starts_in_seconds
        self.model = MeetingModel(INVITEES, now())
        self.reference = ""
        self.online_meeting_id = ""
        self.present: dict[str, str] = {}
        self.recording = False
        self.unclear: list[Unclear] = []
        self.last_email_second: dict[str, int] = {}
        self.changes_seen = 0
        self.closed_at: float | None = None
        self.disagreeing_since: float | None = None
        self.began = time.monotonic()
        self.trail: list[str] = []

    # --- setting up ----------------------------------------------------------------------

    async def schedule(self) -> None:
        world = self.world
        assert world.store is not None
        assert world.clients is not None
        start = datetime.fromtimestamp(math.ceil(time.time()) + self.starts_in_seconds, UTC)
        self.model = MeetingModel(INVITEES, start)
        scheduled = await schedule_meeting(
            world.store,
            world.clients.meetings,
            world.clients.mailbox,
            ServiceProfile(),
            parent_and_school_meeting(start),
            COORDINATOR.display_name,
            reminder_hours=(),
        )
        self.reference = scheduled.reference
        async with world.store.reading() as uow:
            teams_id = (await uow.meetings.get(scheduled.meeting_id)).teams_meeting_id
        assert teams_id is not None
        self.online_meeting_id = teams_id
        status, _ = await world.control("POST", "/meetings", {"onlineMeetingId": teams_id})
        assert status == 201

    @property
    def _path(self) -> str:
        return f"/meetings/{quote(self.online_meeting_id, safe='')}"

    @property
    def online_meeting(self) -> OnlineMeeting:
        meeting = self.world.tenant.meetings.get(self.online_meeting_id)
        assert meeting is not None
        return meeting

    @property
    def started(self) -> bool:
        return self.model.started_at is not None

    # --- actions ---------------------------------------------------------------------------

    async def reply(self, person: str, kind: ReplyKind) -> None:
        await self._away_from_the_start()
        await self._in_a_later_second(person)
        messages = [
            m
            for m in self.world.tenant.correspondents.inbox(person)
            if self.reference in str(m.parsed().get("Subject", ""))
        ]
        sent_at = now()
        status, _ = await self.world.control(
            "POST",
            f"/people/{quote(person)}/messages/{messages[0].id}/reply",
            {"text": REPLIES[kind], "quoteOriginal": True, "authentication": "pass"},
        )
        assert status == 201
        self.last_email_second[person] = int(now().timestamp())
        if kind == "unclear":
            self.unclear.append(Unclear(person, sent_at))
            return
        self.model.answers.append(CountedAnswer(person, ANSWERS[kind], sent_at, sent_at))

    async def everyone_agrees(self) -> None:
        for person in INVITEES:
            await self.reply(person, "yes")

    async def review(self, index: int, answer: Answer) -> None:
        """Staff confirm, in the review queue, how to read one of the unclear emails (once
        it is there: the bot may not have read it yet, or may be down)."""
        if not self.unclear:
            return
        item = self.unclear[index % len(self.unclear)]
        page = await self.world.staff_page("/tab/review")
        if page is None:
            return
        found = self._review_form(page, item.person)
        if found is None:
            return
        action, fields = found
        confirmed = await self.world.staff_page(action, {**fields, "recording": answer})
        if confirmed is None or "confirmed" not in confirmed:
            return
        self.unclear.remove(item)
        self.model.answers.append(CountedAnswer(item.person, answer, item.received_at, now()))

    def _review_form(self, page: str, person: str) -> tuple[str, dict[str, str]] | None:
        for article in page.split("<article")[1:]:
            if self.reference not in article or person not in article:
                continue
            selected = re.search(r'<option value="([^"]+)" selected>', article)
            confirm = [f for f in forms_in(f"<article{article}") if f.action.endswith("/confirm")]
            if selected is None or not confirm:
                return None
            return confirm[0].action, {**confirm[0].fields, "attendee_id": selected.group(1)}
        return None

    async def set_aside_unclear(self) -> None:
        page = await self.world.staff_page("/tab/review")
        while page is not None and self.reference in page:
            actions = re.findall(r'action="(/tab/review/[^"]+/reject)"', page)
            tokens = re.findall(r'name="csrf_token" value="([^"]+)"', page)
            ours = [a for a in actions if self._item_is_ours(page, a)]
            if not ours or not tokens:
                return
            await self.world.staff_page(ours[0], {"csrf_token": tokens[0], "reason": "cannot_tell"})
            page = await self.world.staff_page("/tab/review")

    def _item_is_ours(self, page: str, action: str) -> bool:
        item_id = action.split("/")[3]
        article = page.split(f'aria-labelledby="item-{item_id}-heading"')[1].split("</article>")[0]
        return self.reference in article

    async def start(self) -> None:
        status, _ = await self.world.control("POST", f"{self._path}/start")
        assert status == 200
        live = self.world.tenant.live_meetings.get(self.online_meeting_id)
        assert live is not None
        self.model.started_at = live.started_at
        self.present[ORGANISER] = ORGANISER

    async def join(self, who: str) -> None:
        body = STRANGERS.get(who, {"user": who})
        status, answer = await self.world.control("POST", f"{self._path}/participants", body)
        assert status == 201, answer
        self.present[who] = answer["participant"]["user"]["id"]
        if who in STRANGERS and who not in ADMITTED_BY_NAME:
            self.model.stranger_since_start = True

    async def leave(self, who: str) -> None:
        participant = self.present.pop(who)
        status, answer = await self.world.control(
            "DELETE", f"{self._path}/participants/{quote(participant)}"
        )
        assert status == 200, answer

    async def press_record(self) -> None:
        status, answer = await self.world.control(
            "POST", f"{self._path}/recording/start", {"by": ORGANISER}
        )
        if status == 403:
            return
        assert status == 200, answer
        self.recording = True
        moment = time.monotonic()
        recently_closed = self.closed_at is not None and moment - self.closed_at < GRACE_SECONDS
        if not self.model.permitted(now()) and not recently_closed:
            raise RecordingStartedWithoutConsent(
                "the organiser started a recording the rule does not permit"
            )

    async def stop_recording(self) -> None:
        status, answer = await self.world.control(
            "POST", f"{self._path}/recording/stop", {"by": ORGANISER}
        )
        assert status == 200, answer
        self.recording = False

    async def finish(self, *, check: bool = True) -> None:
        """Faults stop, the last checks run (unless the meeting already failed one), and the
        meeting ends."""
        await self.world.calm()
        if check:
            await self.check()
            await self.converges()
        if self.started:
            await self.world.control("POST", f"{self._path}/end")
        await self.set_aside_unclear()

    # --- timing ----------------------------------------------------------------------------

    async def _away_from_the_start(self) -> None:
        before, after = NEAR_START
        start = self.model.scheduled_start
        moment = now()
        if start - before <= moment <= start + after:
            await asyncio.sleep((start + after - moment).total_seconds())

    async def _in_a_later_second(self, person: str) -> None:
        last = self.last_email_second.get(person)
        if last is not None and time.time() < last + 1:
            await asyncio.sleep(last + 1.02 - time.time())

    # --- the invariant -------------------------------------------------------------------

    def teams_allows(self) -> bool:
        return self.online_meeting.allow_recording

    async def act(self, action: Awaitable[None], label: str = "") -> None:
        """Run one action, then check the invariant; the action goes on the meeting's trail
        (when it happened, what the rule and Teams said after it, whether faults were on)."""
        permitted_before = self.model.permitted(now())
        try:
            await action
        finally:
            self.world.step_done()
            self.trail.append(
                f"{time.monotonic() - self.began:7.1f}s {label or 'step'}: "
                f"permitted={self.model.permitted(now())} teams={self.teams_allows()} "
                f"started={self.started} faults={self.world.faults_active()}"
            )
        if permitted_before and not self.model.permitted(now()):
            self.closed_at = time.monotonic()
        await self.check()

    async def check(self) -> None:
        self._never_switched_on_after_the_start()
        if self.model.permitted(now()) or not self.teams_allows():
            self.disagreeing_since = None
            return
        moment = time.monotonic()
        if self.disagreeing_since is None:
            self.disagreeing_since = self.closed_at if self.closed_at is not None else moment
        if self.world.faults_active():
            return
        await within(GRACE_SECONDS, lambda: not self.teams_allows())
        self._never_switched_on_after_the_start()
        closed = time.monotonic()
        self.world.figures.disagreed(closed - self.disagreeing_since, closed - moment)
        self.disagreeing_since = None
        if self.teams_allows():
            raise AllowedWithoutConsent(
                f"Teams still allowed recording {GRACE_SECONDS:.0f}s after the faults stopped, "
                "although the rule does not permit it"
            )

    def _never_switched_on_after_the_start(self) -> None:
        changes = self.online_meeting.allow_recording_changes
        new, self.changes_seen = changes[self.changes_seen :], len(changes)
        start = self.model.real_start
        late = [
            at
            for at, allowed in new
            if allowed
            and at > start
            and (not self.model.permitted(at) or at - start > START_NOTICE)
        ]
        if late:
            raise SwitchedOnAfterStart(
                f"Teams' recording was switched on {(late[0] - start).total_seconds():.1f}s "
                "after the real start"
            )

    async def converges(self) -> None:
        """With the faults stopped and the real start far enough off, Teams allows recording
        when the rule permits it (the bot switches recording on only while the start is at
        least `SWITCH_ON_MARGIN` away)."""
        margin = timedelta(seconds=CONVERGE_SECONDS + 1) + SWITCH_ON_MARGIN
        if self.started or now() + margin > self.model.scheduled_start:
            return
        if not self.model.permitted(now()):
            return
        if not await within(CONVERGE_SECONDS, self.teams_allows):
            raise DidNotConverge(
                f"every invitee consented, yet Teams did not allow recording within "
                f"{CONVERGE_SECONDS:.0f}s"
            )
