"""The bot as served (for its public URL) and a fresh sandbox tenant per test (so a test can
misconfigure it as an administrator might), with the check's target pointed at both."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from pydantic import SecretStr

from bot.cli.tenant_probes import CheckTarget
from bot.config import ServiceProfile, Settings, TenantSettings
from bot.speech.espeak import EspeakBackend
from consent_store.keys import new_key
from sandbox.app import create_sandbox_app
from sandbox.endpoints import tenant_endpoints
from sandbox.seed import (
    BOT_CATALOG_APP_ID,
    BOT_CLIENT_ID,
    BOT_CLIENT_SECRET,
    CONSENT_MAILBOX,
    seeded_tenant,
)
from tests import databases
from tests.sandbox.conftest import RunningSandbox
from tests.served_bot import bot_with_sandbox, free_port_pair


@pytest.fixture(scope="module")
async def served_bot(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> AsyncIterator[str]:
    """The bot as `make run` serves it; yields its public URL."""
    port = free_port_pair()
    settings = Settings(
        database_url=databases.clone_sqlite(sqlite_template, tmp_path_factory.mktemp("bot")),
        encryption_keys=SecretStr(f"k1:{new_key()}"),
        blind_index_key=SecretStr(new_key()),
        audit_key=SecretStr(new_key()),
    ).model_copy(update={"port": port})
    async with bot_with_sandbox(settings):
        yield f"http://localhost:{port}"


@pytest.fixture
async def tenant_sandbox() -> AsyncIterator[RunningSandbox]:
    tenant = seeded_tenant()
    runner = web.AppRunner(create_sandbox_app(tenant))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    origin = f"http://127.0.0.1:{runner.addresses[0][1]}"
    tenant.sandbox_url = origin
    yield RunningSandbox(origin, runner.app, tenant)
    await runner.cleanup()


@pytest.fixture
def target(tenant_sandbox: RunningSandbox, served_bot: str) -> CheckTarget:
    """The check as a council would run it on a correct tenant, with the seeded
    co-ordinator as the staff member."""
    tenant = TenantSettings(
        tenant_id=tenant_sandbox.tenant.tenant_id,
        bot_app_id=BOT_CLIENT_ID,
        bot_app_secret=SecretStr(BOT_CLIENT_SECRET),
        consent_mailbox=CONSENT_MAILBOX.mail,
        teams_catalog_app_id=BOT_CATALOG_APP_ID,
        public_url=served_bot,
    ).model_copy(update=tenant_endpoints(tenant_sandbox.origin))
    return CheckTarget(
        tenant, ServiceProfile(), EspeakBackend(), staff="priya.raman@iass-sandbox.example"
    )


def with_tenant(target: CheckTarget, **changes: object) -> CheckTarget:
    return dataclasses.replace(target, tenant=target.tenant.model_copy(update=changes))
