"""Fixtures the credential tests share: a fresh sandbox tenant per test, a certificate
registered for the bot's app, the App Service host's managed identity (the environment msal's
managed identity client reads), and a store on SQLite (the credential never reaches it)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from consent_store.keys import KeyRing
from consent_store.unit_of_work import Store
from sandbox.app import create_sandbox_app
from sandbox.entra.app_credentials import FederatedCredential
from sandbox.entra.identities import ManagedIdentity
from sandbox.seed import BOT_CLIENT_ID, seeded_tenant
from sandbox.tenant import Tenant
from tests import databases
from tests.conftest import FakeClock
from tests.credentials.certificates import AppCertificate, new_app_certificate
from tests.sandbox.conftest import RunningSandbox

IDENTITY_CLIENT_ID = "7c1d0e9f-2b3a-4c5d-8e6f-a1b2c3d4e5f6"
IDENTITY_OBJECT_ID = "0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d"
PFX_PASSWORD = "pfx-password~kept-out-of-logs"
IDENTITY_ENDPOINT_PATH = "/msi/token"


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


def register_certificate(tenant: Tenant) -> AppCertificate:
    """A new certificate, uploaded to the bot's app registration."""
    certificate = new_app_certificate()
    tenant.app_credentials.add_certificate(BOT_CLIENT_ID, certificate.certificate)
    return certificate


@pytest.fixture
def registered_certificate(tenant_sandbox: RunningSandbox) -> AppCertificate:
    return register_certificate(tenant_sandbox.tenant)


def assign_managed_identity(
    tenant: Tenant, origin: str, monkeypatch: pytest.MonkeyPatch, *, federated: bool
) -> None:
    """The host's user-assigned identity, as App Service exposes it to the app
    (`IDENTITY_ENDPOINT`, `IDENTITY_HEADER`); with `federated`, the bot's app registration
    trusts it through a federated identity credential."""
    tenant.managed_identities.assign(ManagedIdentity(IDENTITY_CLIENT_ID, IDENTITY_OBJECT_ID))
    monkeypatch.setenv("IDENTITY_ENDPOINT", f"{origin}{IDENTITY_ENDPOINT_PATH}")
    monkeypatch.setenv("IDENTITY_HEADER", tenant.managed_identities.identity_header)
    if federated:
        tenant.app_credentials.add_federated_credential(
            BOT_CLIENT_ID, FederatedCredential(tenant.v2_issuer, IDENTITY_OBJECT_ID)
        )


@pytest.fixture
def managed_identity(tenant_sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    """The host's identity, not (yet) trusted by the bot's app registration."""
    assign_managed_identity(
        tenant_sandbox.tenant, tenant_sandbox.origin, monkeypatch, federated=False
    )


@pytest.fixture
async def sqlite_store(
    tmp_path: Path, sqlite_template: Path, key_ring: KeyRing, clock: FakeClock
) -> AsyncIterator[Store]:
    store = Store.open(databases.clone_sqlite(sqlite_template, tmp_path), key_ring, clock)
    yield store
    await store.close()
