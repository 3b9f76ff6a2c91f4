"""The bot as `make run` serves it (sandbox tenant on the next port), for tests that need the
whole thing running: a free port pair, the app started and stopped around a test, and an
installation of its own (settings, keys, a fresh database on an engine) to serve it from."""

from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.cli.main import main
from bot.config import Settings, TenantSettings
from bot.serving import LOCAL_HOST_NAME, sandbox_origin, sandbox_tenant, serving_app
from consent_store.unit_of_work import Store
from sandbox.seed import seeded_tenant
from sandbox.tenant import Tenant
from tests import databases


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
async def bot_with_sandbox(settings: Settings) -> AsyncIterator[Tenant]:
    """Serve `serving_app(settings, sandbox=True)` on localhost:`settings.port`; yields the
    sandbox's tenant, for what only Microsoft's services can do (sign a calling notification
    with the calling service's key, make a recording)."""
    tenant = seeded_tenant()
    runner = web.AppRunner(serving_app(settings, sandbox=True, host="localhost"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sandbox.seed.seeded_tenant", lambda: tenant)
        await runner.setup()
    assert tenant.sandbox_url == sandbox_origin(settings.port), "the sandbox served another tenant"
    await web.TCPSite(runner, "localhost", settings.port).start()
    try:
        yield tenant
    finally:
        await runner.cleanup()


@dataclass(frozen=True)
class ServedInstallation:
    """The bot served in an installation of its own, its store (opened with the same keys)
    and the sandbox tenant served beside it."""

    port: int
    store: Store
    sandbox: Tenant

    @property
    def origin(self) -> str:
        return f"http://{LOCAL_HOST_NAME}:{self.port}"

    @property
    def sandbox_origin(self) -> str:
        return sandbox_origin(self.port)

    @property
    def tenant(self) -> TenantSettings:
        """The bot's tenant settings (the sandbox's), for the bot's own Graph clients."""
        return sandbox_tenant(self.port)


@dataclass(frozen=True)
class SandboxControls:
    """A served installation with a client for the sandbox tenant's control API, through
    which a test acts as Teams and its people."""

    served: ServedInstallation
    http: aiohttp.ClientSession

    async def control(self, method: str, path: str, body: object = None) -> Any:
        """The control API's JSON answer; it must answer 200 or 201."""
        url = f"{self.served.sandbox_origin}/sandbox/api{path}"
        async with self.http.request(method, url, json=body) as answer:
            assert answer.status in (200, 201), await answer.text()
            return await answer.json()


@asynccontextmanager
async def installation_served(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
) -> AsyncIterator[ServedInstallation]:
    """The bot served (`bot_with_sandbox`) from an installation of its own, with no IASS_
    settings inherited, on a fresh database of the engine `request.param`: for a fixture of
    module scope, so that one bot serves a whole test module."""
    installation = tmp_path_factory.mktemp("installation")
    postgres = None
    if request.param == "sqlite":
        database_url = databases.clone_sqlite(sqlite_template, installation)
    else:
        template: str = request.getfixturevalue("postgres_template")
        postgres = await databases.create_postgres_database(template=template)
        database_url = databases.sqlalchemy_url(postgres)
    with pytest.MonkeyPatch.context() as monkeypatch:
        for name in list(os.environ):
            if name.startswith("IASS_") and name != "IASS_TEST_POSTGRES_URL":
                monkeypatch.delenv(name)
        monkeypatch.chdir(installation)
        monkeypatch.setattr("bot.settings_file.INSTALLATION", installation)
        monkeypatch.setenv("IASS_DATABASE_URL", database_url)
        monkeypatch.setenv("PORT", str(free_port_pair()))
        assert main(["keys", "init"]) == 0
        settings = Settings()
        async with bot_with_sandbox(settings) as sandbox:
            store = Store.open(database_url, settings.key_ring())
            try:
                yield ServedInstallation(settings.port, store, sandbox)
            finally:
                await store.close()
    if postgres is not None:
        await databases.drop_postgres_database(postgres)
