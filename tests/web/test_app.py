"""How the application is put together: the health check alone without a store, the staff
pages on their own sub-applications (a bot endpoint's middleware never reaches them), and
`serving_app`, which `iass-bot serve` runs, opening and closing the configured store and
settling the heap once started."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from aiohttp.typedefs import Handler

from bot.config import Settings
from bot.heap import YOUNGEST_GENERATION
from bot.serving import serving_app
from bot.web.app import create_app
from bot.web.error_pages import friendly_errors
from consent_store.keys import new_key
from consent_store.migrate import upgrade_to_head
from consent_store.unit_of_work import Store
from tests.web.staff_site import RunningSandbox, tenant_settings


async def test_without_a_store_only_the_health_check_is_served(env_without_iass: Path) -> None:
    async with TestServer(create_app(Settings())) as server, aiohttp.ClientSession() as client:
        assert (await client.get(server.make_url("/healthz"))).status == 200
        assert (await client.get(server.make_url("/tab"), allow_redirects=False)).status == 404


@web.middleware
async def refuse_everything(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Stands in for the Agents SDK's JWT middleware on the bot's own sub-application."""
    return web.json_response({"error": "unauthorised"}, status=401)


async def test_a_bot_endpoint_middleware_does_not_reach_staff_pages(
    store: Store, sandbox: RunningSandbox, env_without_iass: Path
) -> None:
    tenant = tenant_settings(sandbox.origin, "http://localhost:3978")
    app = create_app(Settings(), store, tenant=tenant)
    bot_endpoints = web.Application(middlewares=[refuse_everything])
    bot_endpoints.router.add_post("/messages", refuse_everything)
    app.add_subapp("/api", bot_endpoints)
    async with TestServer(app) as server, aiohttp.ClientSession() as client:
        assert (await client.post(server.make_url("/api/messages"))).status == 401
        tab = await client.get(server.make_url("/tab"), allow_redirects=False)
        assert tab.status == 303
        assert tab.headers["Location"].startswith("/auth/sign-in")
        assert (await client.get(server.make_url("/healthz"))).status == 200


def test_the_root_application_has_no_staff_middleware(
    store: Store, sandbox: RunningSandbox
) -> None:
    tenant = tenant_settings(sandbox.origin, "http://localhost:3978")
    app = create_app(Settings(_env_file=None), store, tenant=tenant)
    assert list(app.middlewares) == [friendly_errors], "only browser 404/405 pages in words"
    prefixes = {
        resource.canonical for resource in app.router.resources() if resource.canonical != "/"
    }
    assert {"/tab", "/auth", "/healthz"} <= prefixes


@pytest.fixture
def collector_restored() -> Iterator[None]:
    """The garbage collector as it was, after a test that started a served application."""
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


async def test_serving_app_serves_the_configured_store(
    env_without_iass: Path, monkeypatch: pytest.MonkeyPatch, collector_restored: None
) -> None:
    url = f"sqlite+aiosqlite:///{env_without_iass / 'iass.db'}"
    await asyncio.to_thread(upgrade_to_head, url)
    for name, value in {
        "IASS_DATABASE_URL": url,
        "IASS_ENCRYPTION_KEYS": f"k1:{new_key()}",
        "IASS_BLIND_INDEX_KEY": new_key(),
        "IASS_AUDIT_KEY": new_key(),
    }.items():
        monkeypatch.setenv(name, value)
    app = serving_app(Settings())
    async with TestServer(app) as server, aiohttp.ClientSession() as client:
        assert (await client.get(server.make_url("/healthz"))).status == 200
        not_set_up = await client.get(server.make_url("/tab"))
        assert not_set_up.status == 503
        assert "IASS_TENANT_ID is not set" in await not_set_up.text()
        assert gc.get_freeze_count() > 0, "start-up's objects are set aside (bot.heap)"
        assert gc.get_threshold()[0] == YOUNGEST_GENERATION


def test_serving_app_names_a_missing_key(env_without_iass: Path) -> None:
    with pytest.raises(ValueError, match="IASS_ENCRYPTION_KEYS"):
        serving_app(Settings())
