"""Benchmark: Teams activities signed as the Bot Framework channel signs them, posted to the
bot's `/api/messages` over loopback, against a bare Agents SDK echo agent under the same load.

Both endpoints run the SDK's JWT middleware with issuer checking on (keys from the sandbox
tenant's channel key set) and get their connector tokens from the sandbox's Entra ID through
the same off-loop msal provider; the echo agent replies to every message through a minimal
local Bot Connector, the bot answers as it would in a meeting (participant events and files
posted in the chat go to no-op use cases; the bot's own checks, the service URL guard and
the store look-up of the chat's meeting all run). The load alternates participant-join
events and chat messages with a file, across 20 meeting chats, at concurrency 50 and 5.

Targets: throughput at concurrency 50 at least half the echo agent's; p95 at concurrency 5 at
most twice the echo agent's. The last line reads `activities_vs_echo: R` (throughput ratio at
concurrency 50).

    .venv/bin/python bench/activities.py [--activities 3000] [--engine sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import statistics
import time
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
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
from scratch import fresh_key_ring, progress, scratch_database

from bot.agent.endpoint import (
    AGENT_CONFIGURATION,
    SERVICE_CONNECTION,
    build_bot_endpoint,
    channel_auth_configuration,
)
from bot.agent.sandbox_substitution import sandbox_token_providers, use_sandbox_channel_keys
from bot.config import ServiceProfile, TenantSettings
from bot.policy.terms import AttendeeKind, DeclaredRole
from bot.services.live_meeting import PostedFile, TeamsPerson
from consent_store.migrate import upgrade_to_head
from consent_store.records import NewAttendee, NewMeeting
from consent_store.unit_of_work import Store
from sandbox.app import create_sandbox_app
from sandbox.seed import BOT_CLIENT_ID, BOT_CLIENT_SECRET, COORDINATOR, TENANT_ID, seeded_tenant
from sandbox.tenant import Tenant

MEETING_CHATS = 20
WARM_UP = 200
CONCURRENCIES = (50, 5)
ISSUER = "https://api.botframework.com"
FILE_DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info"


class QuietMeeting:
    """The in-meeting use cases, doing nothing: the benchmark measures the endpoint."""

    async def meeting_started(self, thread_id: str) -> None: ...

    async def meeting_ended(self, thread_id: str) -> None: ...

    async def participant_joined(self, thread_id: str, person: TeamsPerson) -> None: ...

    async def participant_left(self, thread_id: str, person: TeamsPerson) -> None: ...

    async def file_posted(self, thread_id: str, poster: TeamsPerson, file: PostedFile) -> None: ...

    async def share_requested(self, thread_id: str, requester: TeamsPerson, wanted: str) -> str:
        return ""


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
        sandbox_token_providers(tenant.authority_host, tenant.sandbox_origin),
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


def thread_id(index: int) -> str:
    return f"19:meeting_bench{index:04d}@thread.v2"


def activity(index: int, service_url: str) -> dict[str, Any]:
    """Participant joins and messages with a file, in turn, spread over the meeting chats."""
    chat = thread_id(index % MEETING_CHATS)
    base: dict[str, Any] = {
        "id": str(1_000_000 + index),
        "channelId": "msteams",
        "serviceUrl": service_url,
        "timestamp": datetime.now(UTC).isoformat(),
        "from": {"id": f"29:1person{index % 7}", "aadObjectId": COORDINATOR.object_id},
        "recipient": {"id": f"28:{BOT_CLIENT_ID}", "name": "IASS"},
        "conversation": {"id": chat, "tenantId": TENANT_ID, "isGroup": True},
        "channelData": {"tenant": {"id": TENANT_ID}, "meeting": {"id": f"M{index % 20}"}},
    }
    if index % 2 == 0:
        member = {
            "user": {"id": f"29:1person{index % 7}", "name": "Someone", "userRole": "anonymous"},
            "meeting": {"inMeeting": True, "role": "Attendee"},
        }
        return base | {
            "type": "event",
            "name": "application/vnd.microsoft.meetingParticipantJoin",
            "value": {"members": [member]},
        }
    name = f"report {index}.pdf"
    return base | {
        "type": "message",
        "text": "Here is the report",
        "attachments": [
            {
                "contentType": FILE_DOWNLOAD_INFO,
                "contentUrl": f"https://contoso-my.sharepoint.com/personal/p/{name}",
                "name": name,
                "content": {"downloadUrl": "https://x", "uniqueId": "ABC", "fileType": "pdf"},
            },
            {"contentType": "text/html", "content": "<p>Here is the report</p>"},
        ],
    }


@dataclass(frozen=True)
class Result:
    throughput: float
    p50: float
    p95: float
    p99: float


async def load(
    http: aiohttp.ClientSession, url: str, bodies: list[bytes], token: str, concurrency: int
) -> Result:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    timings: list[float] = []
    queue = iter(bodies)

    async def worker() -> None:
        for body in queue:
            began = time.perf_counter()
            async with http.post(url, data=body, headers=headers) as response:
                await response.read()
                if response.status >= 300:
                    raise RuntimeError(f"{url} answered {response.status}")
            timings.append((time.perf_counter() - began) * 1000)

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - began
    cuts = statistics.quantiles(timings, n=100)
    return Result(len(bodies) / elapsed, statistics.median(timings), cuts[94], cuts[98])


@asynccontextmanager
async def served(app: web.Application) -> AsyncIterator[str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


async def add_meetings(store: Store) -> None:
    start = datetime.now(UTC) + timedelta(days=1)
    async with store.unit_of_work() as uow:
        for index in range(MEETING_CHATS):
            row = await uow.meetings.add(
                NewMeeting(
                    title=f"Bench meeting {index}",
                    starts_at=start,
                    ends_at=start + timedelta(hours=1),
                    organiser_user_id=COORDINATOR.object_id,
                    declared_role=DeclaredRole.SUPPORT,
                    recording_requested=True,
                    attendees=(
                        NewAttendee("Parent", f"p{index}@example.org", AttendeeKind.PARENT_CARER),
                    ),
                ),
                uow.now(),
            )
            row.teams_chat_thread_id = thread_id(index)
        await uow.commit()


def channel_token(tenant: Tenant, service_url: str) -> str:
    now = int(time.time())
    claims = {"serviceurl": service_url, "nbf": now, "exp": now + 3600}
    return tenant.bot_framework_key.sign(claims | {"iss": ISSUER, "aud": BOT_CLIENT_ID})


def line(name: str, concurrency: int, result: Result) -> str:
    return (
        f"{name} concurrency {concurrency}: {result.throughput:.0f} activities/s  "
        f"p50 {result.p50:.1f} ms  p95 {result.p95:.1f} ms  p99 {result.p99:.1f} ms"
    )


async def run(engine: str, count: int) -> None:
    sandbox_tenant = seeded_tenant()
    async with (
        scratch_database(engine) as url,
        served(create_sandbox_app(sandbox_tenant)) as sandbox_origin,
        served(local_connector()) as connector_origin,
    ):
        sandbox_tenant.sandbox_url = sandbox_origin
        await asyncio.to_thread(upgrade_to_head, url)
        store = Store.open(url, fresh_key_ring())
        await add_meetings(store)
        tenant = TenantSettings(
            _env_file=None,
            tenant_id=TENANT_ID,
            bot_app_id=BOT_CLIENT_ID,
            bot_app_secret=SecretStr(BOT_CLIENT_SECRET),
            sandbox_origin=sandbox_origin,
        )
        use_sandbox_channel_keys(sandbox_origin)
        quiet = QuietMeeting()
        bot = build_bot_endpoint(
            store, tenant, ServiceProfile(), meeting_events=quiet, document_events=quiet
        )
        bot_app = web.Application()
        bot_app.add_subapp("/api", bot.app)
        service_url = f"{connector_origin}/"
        token = channel_token(sandbox_tenant, service_url)
        bodies = [json.dumps(activity(i, service_url)).encode() for i in range(count)]
        warm = [json.dumps(activity(i, service_url)).encode() for i in range(WARM_UP)]
        results: dict[tuple[str, int], Result] = {}
        try:
            async with (
                served(bot_app) as bot_origin,
                served(echo_agent(tenant)) as echo_origin,
                aiohttp.ClientSession(
                    connector=aiohttp.TCPConnector(limit=max(CONCURRENCIES))
                ) as http,
            ):
                targets = {
                    "bot": f"{bot_origin}/api/messages",
                    "echo": f"{echo_origin}/api/messages",
                }
                for name, target in targets.items():
                    progress(f"warming up {name}")
                    await load(http, target, warm, token, 5)
                for concurrency in CONCURRENCIES:
                    for name, target in targets.items():
                        progress(f"{name} at concurrency {concurrency}: {count} activities")
                        results[name, concurrency] = await load(
                            http, target, bodies, token, concurrency
                        )
        finally:
            await store.close()
    print(f"engine: {engine}  activities per run: {count}  meeting chats: {MEETING_CHATS}")
    for concurrency in CONCURRENCIES:
        for name in ("bot", "echo"):
            print(line(name, concurrency, results[name, concurrency]))
    busy, calm = max(CONCURRENCIES), min(CONCURRENCIES)
    throughput_ratio = results["bot", busy].throughput / results["echo", busy].throughput
    p95_ratio = results["bot", calm].p95 / results["echo", calm].p95
    print(f"throughput_ratio_concurrency_{busy}: {throughput_ratio:.2f}  (target >= 0.5)")
    print(f"p95_ratio_concurrency_{calm}: {p95_ratio:.2f}  (target <= 2.0)")
    print(f"activities_vs_echo: {throughput_ratio:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--activities", type=int, default=3000)
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    arguments = parser.parse_args()
    asyncio.run(run(arguments.engine, arguments.activities))


if __name__ == "__main__":
    main()
