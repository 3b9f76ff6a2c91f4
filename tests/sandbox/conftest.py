"""The seeded sandbox tenant served on 127.0.0.1 for the whole session, the product's Graph
client pointed at it, and helpers the sandbox tests share."""

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
from sandbox.app_keys import NOTIFIER
from sandbox.notifier import ChangeNotifier
from sandbox.seed import BOT_CLIENT_ID, BOT_CLIENT_SECRET, seeded_tenant
from sandbox.tenant import Tenant


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
    port = runner.addresses[0][1]
    yield RunningSandbox(f"http://127.0.0.1:{port}", app, tenant)
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
