"""`/readyz` tells a load balancer the truth about the store, on both engines: ready while the
store answers, 503 with a short reason while the database refuses connections, ready again
once it is back; `/healthz` (liveness) answers throughout."""

from __future__ import annotations

from pathlib import Path

import aiohttp
from aiohttp.test_utils import TestServer

from bot.config import Settings
from bot.web.app import create_app
from consent_store.unit_of_work import Store
from tests.outage import Outage
from tests.web.staff_site import RunningSandbox, tenant_settings


async def probe(client: aiohttp.ClientSession, server: TestServer, path: str) -> tuple[int, dict]:
    async with client.get(server.make_url(path)) as response:
        return response.status, await response.json()


async def test_readiness_follows_the_store_and_liveness_does_not(
    store: Store, database_url: str, sandbox: RunningSandbox, env_without_iass: Path
) -> None:
    tenant = tenant_settings(sandbox.origin, "http://localhost:3978")
    app = create_app(Settings(_env_file=None), store, tenant=tenant)
    outage = Outage(store, database_url)
    async with TestServer(app) as server, aiohttp.ClientSession() as client:
        assert await probe(client, server, "/readyz") == (200, {"status": "ready"})

        await outage.begin()
        try:
            status, answer = await probe(client, server, "/readyz")
            assert (status, answer["status"]) == (503, "not ready")
            assert answer["reason"].startswith("the store does not answer (")
            assert (await probe(client, server, "/healthz"))[0] == 200
        finally:
            await outage.end()

        assert await probe(client, server, "/readyz") == (200, {"status": "ready"})
