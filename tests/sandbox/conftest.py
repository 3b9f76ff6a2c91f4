"""The seeded sandbox tenant served on 127.0.0.1 for the whole session, the product's Graph
client pointed at it, a test double of the bot's endpoints, and helpers the sandbox tests
share."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import aiohttp
import pytest
from aiohttp import web
from msgraph.graph_service_client import GraphServiceClient

from bot.graph.client import open_graph_client
from bot.graph.config import GraphClientConfig
from sandbox.app import create_sandbox_app
from sandbox.app_keys import CALLING, NOTIFIER, TEAMS
from sandbox.calls.calling import CallingService
from sandbox.notifier import ChangeNotifier
from sandbox.seed import BOT_CLIENT_ID, BOT_CLIENT_SECRET, seeded_tenant
from sandbox.teams.meeting_driver import MeetingDriver
from sandbox.tenant import Tenant
from tests.sandbox.bot_double import BotDouble


@dataclass(frozen=True)
class RunningSandbox:
    origin: str
    app: web.Application
    tenant: Tenant

    @property
    def graph_base_url(self) -> str:
        return f"{self.origin}/v1.0"

    @property
    def notifier(self) -> ChangeNotifier:
        return self.app[NOTIFIER]

    @property
    def calling(self) -> CallingService:
        return self.app[CALLING]

    @property
    def teams(self) -> MeetingDriver:
        return self.app[TEAMS]

    def url(self, path: str) -> str:
        return f"{self.origin}{path}"


@pytest.fixture(scope="session")
async def sandbox() -> AsyncIterator[RunningSandbox]:
    tenant = seeded_tenant()
    app = create_sandbox_app(tenant)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    origin = f"http://127.0.0.1:{runner.addresses[0][1]}"
    tenant.sandbox_url = origin
    yield RunningSandbox(origin, app, tenant)
    await runner.cleanup()


@pytest.fixture(scope="session")
def graph_config(sandbox: RunningSandbox) -> GraphClientConfig:
    return GraphClientConfig(
        tenant_id=sandbox.tenant.tenant_id,
        client_id=BOT_CLIENT_ID,
        client_secret=BOT_CLIENT_SECRET,
        graph_base_url=sandbox.graph_base_url,
        authority_rewrite_to=sandbox.origin,
    )


@pytest.fixture(scope="session")
async def graph(graph_config: GraphClientConfig) -> AsyncIterator[GraphServiceClient]:
    async with open_graph_client(graph_config) as client:
        yield client


@pytest.fixture(scope="session")
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture(autouse=True)
def no_faults_left(sandbox: RunningSandbox) -> Iterator[None]:
    sandbox.tenant.faults.clear()
    yield
    sandbox.tenant.faults.clear()


@pytest.fixture
async def bot(sandbox: RunningSandbox) -> AsyncIterator[BotDouble]:
    """The bot's messaging endpoint, calls callback and prompt files, configured on the
    tenant for the test."""
    double = BotDouble()
    runner = web.AppRunner(double.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    double.origin = f"http://127.0.0.1:{runner.addresses[0][1]}"
    sandbox.tenant.bot_endpoint = double.url("/api/messages")
    yield double
    await sandbox.calling.idle()
    sandbox.tenant.bot_endpoint = None
    await runner.cleanup()
