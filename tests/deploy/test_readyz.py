"""`/readyz` is ready only when the instance can do its work: the store answers (see
tests/web/test_readiness.py), its schema is at the newest migration, and a Graph token can be
had; each failure is a 503 naming what is wrong, and `/healthz` answers throughout."""

from __future__ import annotations

from pathlib import Path

import aiohttp
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from bot.config import Settings
from bot.web.app import create_app
from consent_store.keys import KeyRing
from consent_store.unit_of_work import Store
from tests.web.staff_site import RunningSandbox, tenant_settings


async def probe(server: TestServer, path: str) -> tuple[int, dict[str, str]]:
    async with aiohttp.ClientSession() as client, client.get(server.make_url(path)) as answer:
        return answer.status, await answer.json()


async def test_ready_with_a_current_schema_and_a_graph_token(
    store: Store, sandbox: RunningSandbox, env_without_iass: Path
) -> None:
    app = create_app(
        Settings(_env_file=None), store, tenant=tenant_settings(sandbox.origin, "http://x")
    )
    async with TestServer(app) as server:
        assert await probe(server, "/readyz") == (200, {"status": "ready"})


async def test_not_ready_while_the_schema_is_behind(
    key_ring: KeyRing, sandbox: RunningSandbox, env_without_iass: Path, tmp_path: Path
) -> None:
    never_migrated = Store.open(f"sqlite+aiosqlite:///{tmp_path / 'new.db'}", key_ring)
    app = create_app(
        Settings(_env_file=None),
        never_migrated,
        tenant=tenant_settings(sandbox.origin, "http://x"),
    )
    try:
        async with TestServer(app) as server:
            status, answer = await probe(server, "/readyz")
            assert (status, answer["reason"]) == (
                503,
                "the store's schema is not the newest: run `iass-bot db upgrade`",
            )
            assert (await probe(server, "/healthz"))[0] == 200
    finally:
        await never_migrated.close()


async def test_not_ready_without_a_graph_token(
    store: Store, sandbox: RunningSandbox, env_without_iass: Path
) -> None:
    wrong = tenant_settings(sandbox.origin, "http://x", bot_app_secret=SecretStr("wrong"))
    unset = tenant_settings(sandbox.origin, "http://x", tenant_id="")
    for tenant, reason in (
        (wrong, "no Graph token (ClientAuthenticationError)"),
        (unset, "no Graph token: IASS_TENANT_ID is not set"),
    ):
        async with TestServer(create_app(Settings(_env_file=None), store, tenant=tenant)) as server:
            assert await probe(server, "/readyz") == (
                503,
                {"status": "not ready", "reason": reason},
            )
