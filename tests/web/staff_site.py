"""Helpers the staff-page tests share (web and browser): the sandbox tenant served on
`localhost`, the bot's app pointed at it, minted sessions, and reading HTML forms."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer, unused_port
from pydantic import SecretStr

from bot.config import Settings, TenantSettings
from bot.services.decision_events import DecisionEvents
from bot.web.app import create_app
from bot.web.app_keys import DECISION_EVENTS
from bot.web.session import Sessions, StaffSession
from consent_store.unit_of_work import Clock, Store, utc_now
from sandbox.app import create_sandbox_app
from sandbox.endpoints import tenant_endpoints
from sandbox.seed import BOT_CLIENT_ID, BOT_CLIENT_SECRET, COORDINATOR, TENANT_ID, seeded_tenant
from sandbox.tenant import Tenant

SESSION_KEY = "test-session-key-0123456789-abcdefghijklmnop"
CSRF_TOKEN = "csrf-token-for-tests"
STAFF_SESSION = StaffSession(COORDINATOR.object_id, COORDINATOR.display_name, CSRF_TOKEN)


@dataclass(frozen=True)
class RunningSandbox:
    origin: str
    tenant: Tenant


@asynccontextmanager
async def running_sandbox() -> AsyncIterator[RunningSandbox]:
    """The seeded tenant on a free port, addressed as `localhost` (the host name the bot's
    registered redirect URI uses, so the sign-in form post stays on the same site)."""
    tenant = seeded_tenant()
    runner = web.AppRunner(create_sandbox_app(tenant))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield RunningSandbox(f"http://localhost:{runner.addresses[0][1]}", tenant)
    finally:
        await runner.cleanup()


def tenant_settings(sandbox_origin: str, public_url: str, **overrides: object) -> TenantSettings:
    values: dict[str, object] = {
        "tenant_id": TENANT_ID,
        "bot_app_id": BOT_CLIENT_ID,
        "bot_app_secret": SecretStr(BOT_CLIENT_SECRET),
        **tenant_endpoints(sandbox_origin),
        "public_url": public_url,
        "session_key": SecretStr(SESSION_KEY),
        **overrides,
    }
    return TenantSettings(_env_file=None, **values)


@dataclass
class StaffServer:
    base_url: str
    tenant: TenantSettings
    store: Store
    clock: Clock = field(default=utc_now)
    events: DecisionEvents = field(default_factory=DecisionEvents)

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    async def session_cookie(self, session: StaffSession) -> tuple[str, str]:
        """A session started as the app starts one after a sign-in; its cookie."""
        sessions = Sessions(
            self.store,
            self.tenant.session_key.get_secret_value().encode(),
            secure=False,
            clock=self.clock,
        )
        response = web.Response()
        await sessions.start(response, session, replacing=None)
        return sessions.name, response.cookies[sessions.name].value


@asynccontextmanager
async def serving_staff_pages(
    store: Store, sandbox_origin: str, clock: Clock = utc_now, **overrides: object
) -> AsyncIterator[StaffServer]:
    port = unused_port()
    base_url = f"http://localhost:{port}"
    tenant = tenant_settings(sandbox_origin, base_url, **overrides)
    app = create_app(Settings(_env_file=None), store, tenant=tenant, clock=clock)
    async with TestServer(app, host="127.0.0.1", port=port):
        yield StaffServer(base_url, tenant, store, clock, app[DECISION_EVENTS])


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    """What a browser would send as the form stands: checkboxes only when ticked."""
    radios: dict[str, list[str]] = field(default_factory=dict)
    checkboxes: dict[str, bool] = field(default_factory=dict)
    """Every checkbox, ticked or not."""


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append(
                Form(attributes.get("action", ""), attributes.get("method", "get").lower())
            )
        elif tag == "input" and self.forms and attributes.get("name"):
            name = attributes["name"]
            if attributes.get("type") == "radio":
                self.forms[-1].radios.setdefault(name, []).append(attributes.get("value", ""))
                return
            if attributes.get("type") == "checkbox":
                self.forms[-1].checkboxes[name] = "checked" in attributes
                if "checked" not in attributes:
                    return
            self.forms[-1].fields[name] = attributes.get("value", "")


def forms_in(html: str) -> list[Form]:
    reader = _FormReader()
    reader.feed(html)
    return reader.forms


async def sign_in_through_sandbox(
    client: aiohttp.ClientSession,
    sandbox: RunningSandbox,
    server: StaffServer,
    account: str,
    start: str = "/tab",
) -> aiohttp.ClientResponse:
    """Follow the whole sign-in as a browser would, choosing `account` (an object id) on the
    sandbox's sign-in page; returns the bot's answer to the form post."""
    to_sign_in = await client.get(server.url(start), allow_redirects=False)
    assert to_sign_in.status == 303
    to_entra = await client.get(server.url(to_sign_in.headers["Location"]), allow_redirects=False)
    assert to_entra.status == 303
    sign_in_page = await client.get(to_entra.headers["Location"])
    (choose,) = forms_in(await sign_in_page.text())
    assert account in choose.radios["account"]
    chosen = await client.post(
        sandbox.origin + choose.action,
        data={**choose.fields, "account": account, "decision": "accept"},
    )
    (answer,) = forms_in(await chosen.text())
    assert answer.action == server.url("/auth/callback")
    return await client.post(answer.action, data=answer.fields, allow_redirects=False)
