"""Staff sign in to the staff pages with the app's certificate or managed identity redeeming
Entra's authorisation code (a client assertion instead of the client secret, none configured),
through the sandbox's sign-in page as a browser would, and land on /tab signed in. A
certificate the app registration does not hold signs nobody in."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from pydantic import SecretStr

from consent_store.unit_of_work import Store
from sandbox.seed import COORDINATOR
from tests.credentials.certificates import new_app_certificate
from tests.credentials.conftest import (
    IDENTITY_CLIENT_ID,
    PFX_PASSWORD,
    assign_managed_identity,
    register_certificate,
)
from tests.web.staff_site import (
    RunningSandbox,
    running_sandbox,
    serving_staff_pages,
    sign_in_through_sandbox,
)

NO_SECRET = SecretStr("")


@pytest.fixture
async def sandbox() -> AsyncIterator[RunningSandbox]:
    async with running_sandbox() as running:
        yield running


@pytest.fixture
async def client() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def signed_in_home(
    client: aiohttp.ClientSession, store: Store, sandbox: RunningSandbox, **credential: object
) -> tuple[aiohttp.ClientResponse, str]:
    """Sign the co-ordinator in with the app holding `credential` and no client secret; the
    bot's answer to Entra's form post, and the home page's text afterwards."""
    async with serving_staff_pages(
        store, sandbox.origin, bot_app_secret=NO_SECRET, **credential
    ) as server:
        answered = await sign_in_through_sandbox(client, sandbox, server, COORDINATOR.object_id)
        home = await client.get(server.url("/tab"), allow_redirects=False)
        return answered, await home.text()


async def test_staff_sign_in_with_the_apps_certificate(
    client: aiohttp.ClientSession,
    sqlite_store: Store,
    sandbox: RunningSandbox,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    pfx = register_certificate(sandbox.tenant).write_pfx(tmp_path / "bot.pfx", PFX_PASSWORD)

    answered, home = await signed_in_home(
        client,
        sqlite_store,
        sandbox,
        credential="certificate",
        bot_certificate_path=str(pfx),
        bot_certificate_password=SecretStr(PFX_PASSWORD),
    )

    assert answered.status == 303
    assert answered.headers["Location"] == "/tab"
    assert f"Signed in as {COORDINATOR.display_name}" in home
    assert PFX_PASSWORD not in "\n".join(r.getMessage() for r in caplog.records)


async def test_staff_sign_in_with_the_hosts_managed_identity(
    client: aiohttp.ClientSession,
    sqlite_store: Store,
    sandbox: RunningSandbox,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    tenant = sandbox.tenant
    assign_managed_identity(tenant, sandbox.origin, monkeypatch, federated=True)

    answered, home = await signed_in_home(
        client,
        sqlite_store,
        sandbox,
        credential="managed_identity",
        managed_identity_client_id=IDENTITY_CLIENT_ID,
    )

    assert answered.status == 303
    assert answered.headers["Location"] == "/tab"
    assert f"Signed in as {COORDINATOR.display_name}" in home
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert tenant.managed_identities.identity_header not in logged


async def test_a_certificate_the_registration_does_not_hold_signs_nobody_in(
    client: aiohttp.ClientSession, sqlite_store: Store, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    pem = new_app_certificate().write_pem(tmp_path / "other.pem")

    answered, home = await signed_in_home(
        client, sqlite_store, sandbox, credential="certificate", bot_certificate_path=str(pem)
    )

    assert answered.status == 400
    assert "iass-staff" not in {name for name, morsel in answered.cookies.items() if morsel.value}
    assert "Signed in as" not in home
