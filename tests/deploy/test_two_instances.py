"""Two instances behind a load balancer (issue 16): two bot processes, served as
`iass-bot serve` serves them, on one PostgreSQL database, behind a round-robin reverse proxy
(`RoundRobin`, below) that is the public URL the sandbox tenant posts to: Teams activities,
calls notifications, mail notifications and prompt fetches go to each instance in turn (each
kind of request alternates on its own, so every kind lands on both), and timed jobs are claimed
by whichever instance's runner comes first.

The whole meeting story is walked: scheduled, both invitees consent by email, recording is
allowed, the meeting starts in Teams just as the join job falls due, the organiser records, a
stranger joins, a file nobody agreed to is posted, the meeting ends. From the sandbox's side
each outcome happens exactly once: one call placed, one opening statement (one card, every
prompt fetched and played), one receipt per reply, recording switched off once with one
warning, the file withdrawn with one notice; and the audit log says each once.
"""

from __future__ import annotations

import asyncio
import itertools
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import IO
from urllib.parse import quote

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import func, select

from bot.announcement.document_replies import file_refused_notice
from bot.policy.recording_gate import SWITCH_ON_MARGIN
from consent_store.tables import AuditEntryRow, JobRow, SharedFileRow
from sandbox.calls.calls import PromptOperation
from sandbox.seed import COORDINATOR, PARENT_CARER, SENCO
from tests.invariants.harness import Meeting, World
from tests.served_bot import free_port_pair

CONSENT_SECONDS = 15
"""How long the invitees' consent may take to make Teams allow recording (2 s on two bots just
started here): the bot switches recording on only while the start is `SWITCH_ON_MARGIN` away,
so the meeting starts that much later; then the test waits for the start."""
START_IN_SECONDS = int(SWITCH_ON_MARGIN.total_seconds()) + CONSENT_SECONDS
SETTLE_SECONDS = 60.0
BOT_START_SECONDS = 90.0
INVITEES = (PARENT_CARER.address, SENCO.address)
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "transfer-encoding",
        "content-length",
        "content-encoding",
        "host",
        "upgrade",
    }
)


def kind_of(path: str) -> str:
    """Which kind of request a path is, for the proxy's turns and its tally."""
    for prefix, kind in (
        ("/api/messages", "activity"),
        ("/api/calls", "calls notification"),
        ("/notifications/mail", "mail notification"),
        ("/prompts/", "prompt fetch"),
    ):
        if path.startswith(prefix):
            return kind
    return "other"


class RoundRobin:
    """A reverse proxy sending each kind of request to the backends in turn."""

    def __init__(self, backends: list[str]) -> None:
        self.backends = backends
        self._turns: dict[str, itertools.cycle[int]] = {}
        self.served: Counter[tuple[str, int]] = Counter()
        self._client: aiohttp.ClientSession | None = None
        self._runner: web.AppRunner | None = None

    async def start(self, port: int) -> None:
        self._client = aiohttp.ClientSession(auto_decompress=False)
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "localhost", port).start()

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._client is not None:
            await self._client.close()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._client is not None
        kind = kind_of(request.path)
        turn = self._turns.setdefault(kind, itertools.cycle(range(len(self.backends))))
        backend = next(turn)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        headers["X-Forwarded-Host"] = request.host
        try:
            async with self._client.request(
                request.method,
                self.backends[backend] + request.path_qs,
                headers=headers,
                data=await request.read(),
                allow_redirects=False,
            ) as answer:
                body = await answer.read()
                self.served[kind, backend] += 1
                return web.Response(
                    status=answer.status,
                    body=body,
                    headers={
                        k: v for k, v in answer.headers.items() if k.lower() not in HOP_BY_HOP
                    },
                )
        except aiohttp.ClientError:
            raise web.HTTPBadGateway() from None


class Instance:
    """One bot process on its own port."""

    def __init__(self, env: dict[str, str], workdir: Path, port: int) -> None:
        self.port = port
        self.url = f"http://localhost:{port}"
        log: IO[str] = (workdir / f"bot-{port}-{uuid.uuid4().hex[:6]}.log").open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.invariants.bot_process"],
            cwd=workdir,
            env={**env, "PORT": str(port)},
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert self.process.stdin is not None
        self.process.stdin.write("serve\n")
        self.process.stdin.flush()

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class TwoInstances(World):
    """`World` with two bot processes behind `RoundRobin` at the public URL (PostgreSQL)."""

    def __init__(self, workdir: Path) -> None:
        super().__init__("postgresql", workdir)
        self.instances: list[Instance] = []
        self.proxy: RoundRobin | None = None

    async def open(self) -> None:
        env = await self.open_tenant()
        self.instances = [Instance(env, self.workdir, free_port_pair()) for _ in range(2)]
        self.proxy = RoundRobin([instance.url for instance in self.instances])
        await self.proxy.start(self.port)
        await self._until(self._both_healthy, BOT_START_SECONDS, "the bots did not start")
        self.bot_ready_since = time.monotonic()
        await self._until(self._subscribed, BOT_START_SECONDS, "the bots never subscribed")

    async def _both_healthy(self) -> bool:
        for instance in self.instances:
            try:
                async with self.http.get(f"{instance.url}/healthz") as response:
                    if response.status != 200:
                        return False
            except aiohttp.ClientError:
                return False
        return True

    async def close(self) -> None:
        for instance in self.instances:
            instance.close()
        if self.proxy is not None:
            await self.proxy.close()
        await super().close()


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[TwoInstances]:
    opened = TwoInstances(tmp_path)
    try:
        await opened.open()
        yield opened
    finally:
        await opened.close()


async def until(check: Callable[[], Awaitable[bool]], what: str) -> None:
    deadline = time.monotonic() + SETTLE_SECONDS
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {SETTLE_SECONDS:.0f} s")
        await asyncio.sleep(0.1)


async def audited(world: World, action: str) -> int:
    assert world.store is not None
    async with world.store.reading() as uow:
        statement = select(func.count()).select_from(AuditEntryRow)
        return int(await uow.session.scalar(statement.where(AuditEntryRow.action == action)) or 0)


def bot_chat(meeting: Meeting) -> list[str]:
    """What the bot posted in the meeting chat: each message's text and its cards'."""
    chat = meeting.world.tenant.conversations.meeting_chat(meeting.online_meeting.thread_id)
    texts = []
    for entry in chat.entries:
        if entry.direction != "from_bot":
            continue
        activity = entry.activity
        parts = [str(activity.get("text") or "")]
        parts += [str(a.get("content")) for a in activity.get("attachments") or []]
        texts.append(" ".join(parts))
    return texts


def receipts(meeting: Meeting, person: str) -> int:
    return sum(
        1
        for message in meeting.world.tenant.correspondents.inbox(person)
        if "recorded your answer" in str(message.parsed().get("Subject", ""))
    )


async def test_two_instances_behind_a_round_robin_proxy_do_each_thing_once(
    world: TwoInstances,
) -> None:
    began = time.monotonic()
    meeting = Meeting(world, starts_in_seconds=START_IN_SECONDS)
    await meeting.schedule()
    await meeting.everyone_agrees()
    await until(
        lambda: _true(
            all(receipts(meeting, p) >= 1 for p in (PARENT_CARER.address, SENCO.address))
        ),
        "the receipts",
    )
    await until(lambda: _true(meeting.teams_allows()), "recording allowed")

    await asyncio.sleep(max(0.0, meeting.model.scheduled_start.timestamp() - time.time()))
    await meeting.start()
    thread_id = meeting.online_meeting.thread_id

    async def opened() -> bool:
        calls = world.tenant.calls.live_in(thread_id)
        played = [p for c in calls for o in c.operations.values() for p in o.prompts]
        staff = COORDINATOR.display_name
        return bool(played) and any(staff in text for text in bot_chat(meeting))

    await until(opened, "the opening statement")
    await meeting.join(PARENT_CARER.address)
    await meeting.press_record()
    await meeting.join("anonymous")

    async def warned() -> bool:
        return not meeting.teams_allows() and any(
            t.startswith("Recording is not permitted") for t in bot_chat(meeting)
        )

    await until(warned, "recording switched off and the chat warned")
    status, answer = await world.control(
        "POST",
        f"/meetings/{quote(meeting.online_meeting_id, safe='')}/files",
        {"from": COORDINATOR.object_id, "name": "notes.docx", "content": "notes"},
    )
    assert status == 201, answer
    refused = file_refused_notice().text

    async def file_decided() -> bool:
        return any(t.startswith(refused) for t in bot_chat(meeting))

    await until(file_decided, "the file's decision")

    def operations() -> list[PromptOperation]:
        return [
            o
            for c in world.tenant.calls.all()
            if c.thread_id == thread_id
            for o in c.operations.values()
        ]

    async def prompts_played() -> bool:
        """Every prompt asked for has played, and no other is asked for a moment later (they
        take turns, so a notice waits for the statement before it)."""
        before = len(operations())
        if not all(o.finished for o in operations()):
            return False
        await asyncio.sleep(1.5)
        return len(operations()) == before and all(o.finished for o in operations())

    await until(prompts_played, "the prompts")
    await world.control("POST", f"/meetings/{quote(meeting.online_meeting_id, safe='')}/end")
    await until(lambda: _positive(audited(world, "meeting.ended")), "the end")
    await asyncio.sleep(3)

    calls = [c for c in world.tenant.calls.all() if c.thread_id == thread_id]
    prompts = [p for c in calls for o in c.operations.values() for p in o.prompts]
    chat = bot_chat(meeting)
    assert len(calls) == 1, "the bot placed more than one call"
    assert [p.problem for p in prompts] == [None] * len(prompts)
    assert len(prompts) == await audited(world, "call.prompt_started")
    opening_cards = [t for t in chat if COORDINATOR.display_name in t and "AdaptiveCard" in t]
    assert len(opening_cards) == 1
    assert [receipts(meeting, p) for p in INVITEES] == [1, 1]
    changes = [allowed for _, allowed in meeting.online_meeting.allow_recording_changes]
    assert changes == [False, True, False], "locked down, allowed on consent, off once"
    assert len([t for t in chat if t.startswith("Recording is not permitted")]) == 1
    assert len([t for t in chat if t.startswith(refused)]) == 1
    assert world.store is not None
    async with world.store.reading() as uow:
        files = list(await uow.session.scalars(select(SharedFileRow.outcome)))
        done_by = Counter(
            await uow.session.scalars(select(JobRow.claimed_by).where(JobRow.done_at.is_not(None)))
        )
    assert files == ["revoked"]
    for action in (
        "meeting.joined",
        "meeting.announced",
        "document.refused",
        "meeting.ended",
    ):
        assert await audited(world, action) == 1, action
    assert world.proxy is not None
    served = world.proxy.served
    for kind in ("activity", "calls notification", "mail notification", "prompt fetch"):
        assert min(served[kind, 0], served[kind, 1]) > 0, f"every {kind} went to one instance"
    print(
        f"two instances: {dict(served)}; jobs done by {dict(done_by)}; "
        f"{len(prompts)} prompts; {time.monotonic() - began:.1f} s"
    )


async def _true(value: bool) -> bool:
    return value


async def _positive(counted: Awaitable[int]) -> bool:
    return await counted > 0
