"""The token on a comms notification is checked as Microsoft's calling samples check it: either
issuer they accept (`https://api.botframework.com`, `https://graph.microsoft.com`) and no
other, keys found through the calling service's OpenID configuration document and the
`jwks_uri` it names, kept for two hours, fetched again when a token names a key not held (at
most every five minutes), and kept for a day when a refresh fails. A notification signed with
either issuer, chosen on the sandbox tenant, is handled end to end: the bot joins a meeting's
call through Graph and hears, on its served `/api/calls`, that the call is established."""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import select

from bot.calling.endpoint import attach_calling
from bot.calling.inbox import CallNotificationInbox
from bot.calling.tokens import (
    CallingKeysUnavailable,
    CallingTokenRejected,
    CallingTokenValidator,
    jwks_uri_of,
)
from bot.config import CALLING_OPENID_URL, TenantSettings
from bot.graph.calls import CALLBACK_PATH, MeetingCalls
from bot.graph.mailbox import ConsentMailbox
from bot.graph.meetings import OnlineMeetings
from bot.services.recording_setting import lock_down_and_confirm
from bot.services.scheduling import open_teams_meeting
from consent_store.tables import AuditEntryRow
from consent_store.unit_of_work import Store
from sandbox.botframework.tokens import calling_token
from sandbox.endpoints import calling_openid_url
from sandbox.seed import BOT_CATALOG_APP_ID, BOT_CLIENT_ID, COORDINATOR
from sandbox.signing import SigningKey
from sandbox.tenant import CALLING_TOKEN_ISSUERS
from tests.conftest import FakeClock
from tests.sandbox.conftest import RunningSandbox
from tests.tenant_flows.conftest import parent_and_school_meeting

HOUR = 3600.0


@dataclass
class Ticks:
    """A monotonic clock the test moves by hand."""

    seconds: float = 1000.0

    def __call__(self) -> float:
        return self.seconds


def validator(sandbox: RunningSandbox, ticks: Ticks) -> CallingTokenValidator:
    return CallingTokenValidator(
        BOT_CLIENT_ID,
        calling_openid_url(sandbox.origin),
        sandbox.tenant.tenant_id,
        clock=ticks,
    )


def bearer(sandbox: RunningSandbox) -> str:
    return f"Bearer {calling_token(sandbox.tenant, BOT_CLIENT_ID)}"


def closed_port_url() -> str:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    return calling_openid_url(f"http://127.0.0.1:{port}")


def test_production_finds_the_keys_where_microsoft_documents_them() -> None:
    assert TenantSettings(_env_file=None).calling_openid_url == (
        "https://api.aps.skype.com/v1/.well-known/OpenIdConfiguration"
    )
    assert calling_openid_url("http://localhost:3979/") == (
        "http://localhost:3979/api.aps.skype.com/v1/.well-known/OpenIdConfiguration"
    )


async def test_the_sandbox_serves_the_calling_openid_configuration_at_its_documented_path(
    tenant_sandbox: RunningSandbox,
) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.get(calling_openid_url(tenant_sandbox.origin)) as metadata,
    ):
        assert metadata.status == 200
        jwks_uri = (await metadata.json())["jwks_uri"]
        assert jwks_uri == tenant_sandbox.url("/api.aps.skype.com/v1/keys")
        async with http.get(jwks_uri) as keys:
            (published,) = (await keys.json())["keys"]
    assert published["kid"] == tenant_sandbox.tenant.calling_key.kid


@pytest.mark.parametrize(
    ("metadata_url", "jwks_uri", "usable"),
    [
        (CALLING_OPENID_URL, "https://api.aps.skype.com/v1/keys", True),
        (CALLING_OPENID_URL, "http://api.aps.skype.com/v1/keys", False),
        (CALLING_OPENID_URL, "file:///etc/keys", False),
        (CALLING_OPENID_URL, 7, False),
        ("http://127.0.0.1:3979/x", "http://127.0.0.1:3979/api.aps.skype.com/v1/keys", True),
    ],
)
def test_only_an_https_jwks_uri_is_followed_from_an_https_document(
    metadata_url: str, jwks_uri: Any, usable: bool
) -> None:
    if usable:
        assert jwks_uri_of(metadata_url, {"jwks_uri": jwks_uri}) == jwks_uri
    else:
        with pytest.raises(CallingKeysUnavailable):
            jwks_uri_of(metadata_url, {"jwks_uri": jwks_uri})


async def test_the_keys_are_those_the_openid_configuration_names_wherever_they_are(
    tenant_sandbox: RunningSandbox,
) -> None:
    """A calling service whose document names keys on another path than the sandbox's: the
    bot follows `jwks_uri`, it does not guess where the keys are."""
    key = tenant_sandbox.tenant.calling_key

    async def configuration(request: web.Request) -> web.Response:
        return web.json_response({"jwks_uri": str(request.url.with_path("/rolled/2026/keys"))})

    async def keys(_request: web.Request) -> web.Response:
        return web.json_response({"keys": [key.public_jwk()]})

    app = web.Application()
    app.router.add_get("/api.aps.skype.com/v1/.well-known/OpenIdConfiguration", configuration)
    app.router.add_get("/rolled/2026/keys", keys)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        origin = f"http://127.0.0.1:{runner.addresses[0][1]}"
        checker = CallingTokenValidator(
            BOT_CLIENT_ID,
            calling_openid_url(origin),
            tenant_sandbox.tenant.tenant_id,
        )
        claims = await checker.claims(bearer(tenant_sandbox))
    finally:
        await runner.cleanup()
    assert claims["tid"] == tenant_sandbox.tenant.tenant_id


@pytest.mark.parametrize("issuer", CALLING_TOKEN_ISSUERS)
async def test_each_issuer_microsofts_samples_accept_is_accepted(
    tenant_sandbox: RunningSandbox, issuer: str
) -> None:
    tenant_sandbox.tenant.calling_token_issuer = issuer
    claims = await validator(tenant_sandbox, Ticks()).claims(bearer(tenant_sandbox))
    assert claims["iss"] == issuer


@pytest.mark.parametrize(
    "issuer",
    [
        "https://api.botframework.com/",
        "https://graph.microsoft.com/",
        "https://api.botframework.us",
        "https://graph.microsoft.us",
        "https://sts.windows.net/{tenant}/",
        "https://login.microsoftonline.com/{tenant}/v2.0",
        "https://api.aps.skype.com",
    ],
)
async def test_any_other_issuer_is_refused(tenant_sandbox: RunningSandbox, issuer: str) -> None:
    tenant = tenant_sandbox.tenant
    now = int(tenant.now().timestamp())
    token = tenant.calling_key.sign(
        {
            "aud": BOT_CLIENT_ID,
            "iss": issuer.format(tenant=tenant.tenant_id),
            "nbf": now,
            "exp": now + 3600,
            "tid": tenant.tenant_id,
        }
    )
    with pytest.raises(CallingTokenRejected, match="InvalidIssuer"):
        await validator(tenant_sandbox, Ticks()).claims(f"Bearer {token}")


async def test_a_token_without_not_before_is_accepted_as_the_samples_accept_it(
    tenant_sandbox: RunningSandbox,
) -> None:
    tenant = tenant_sandbox.tenant
    now = int(tenant.now().timestamp())
    token = tenant.calling_key.sign(
        {
            "aud": BOT_CLIENT_ID,
            "iss": "https://graph.microsoft.com",
            "exp": now + 3600,
            "tid": tenant.tenant_id,
        }
    )
    assert (await validator(tenant_sandbox, Ticks()).claims(f"Bearer {token}"))["exp"] == now + 3600


async def test_a_rolled_over_key_is_fetched_when_named_but_no_more_than_every_five_minutes(
    tenant_sandbox: RunningSandbox,
) -> None:
    ticks = Ticks()
    checker = validator(tenant_sandbox, ticks)
    await checker.claims(bearer(tenant_sandbox))
    tenant_sandbox.tenant.calling_key = SigningKey.generate("rolled over", datetime.now(UTC))

    ticks.seconds += 60
    with pytest.raises(CallingTokenRejected, match="unknown signing key"):
        await checker.claims(bearer(tenant_sandbox))
    ticks.seconds += 241
    assert await checker.claims(bearer(tenant_sandbox))


async def test_a_token_naming_a_key_never_published_is_refused(
    tenant_sandbox: RunningSandbox,
) -> None:
    tenant = tenant_sandbox.tenant
    now = int(tenant.now().timestamp())
    stranger = SigningKey.generate("not the calling service", datetime.now(UTC))
    token = stranger.sign(
        {
            "aud": BOT_CLIENT_ID,
            "iss": "https://api.botframework.com",
            "exp": now + 600,
            "tid": tenant.tenant_id,
        }
    )
    with pytest.raises(CallingTokenRejected, match="unknown signing key"):
        await validator(tenant_sandbox, Ticks()).claims(f"Bearer {token}")


async def test_keys_are_kept_for_two_hours_then_fetched_again(
    tenant_sandbox: RunningSandbox,
) -> None:
    ticks = Ticks()
    checker = validator(tenant_sandbox, ticks)
    before = bearer(tenant_sandbox)
    await checker.claims(before)
    tenant_sandbox.tenant.calling_key = SigningKey.generate("rolled over", datetime.now(UTC))

    ticks.seconds += 2 * HOUR - 1
    assert await checker.claims(before)
    ticks.seconds += 2
    with pytest.raises(CallingTokenRejected, match="unknown signing key"):
        await checker.claims(before)


async def test_keys_outlast_a_failed_refresh_for_a_day_then_nothing_is_accepted(
    tenant_sandbox: RunningSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    ticks = Ticks()
    checker = validator(tenant_sandbox, ticks)
    token = bearer(tenant_sandbox)
    await checker.claims(token)
    checker.metadata_url = closed_port_url()

    ticks.seconds += 3 * HOUR
    with caplog.at_level(logging.WARNING, logger="bot.calling.tokens"):
        assert await checker.claims(token)
    assert "calling service keys not refreshed" in caplog.text
    ticks.seconds += 21 * HOUR
    with pytest.raises(CallingKeysUnavailable):
        await checker.claims(token)


async def test_calls_notifications_are_refused_503_when_no_keys_can_be_fetched(
    tenant_sandbox: RunningSandbox,
) -> None:
    accepted: list[object] = []

    class Inbox:
        async def accept(self, notices: object) -> None:
            accepted.append(notices)

        async def close(self) -> None:
            return None

    app = web.Application()
    checker = CallingTokenValidator(
        BOT_CLIENT_ID, closed_port_url(), tenant_sandbox.tenant.tenant_id
    )
    attach_calling(app, checker, Inbox())
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}{CALLBACK_PATH}"
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                url, json={"value": []}, headers={"Authorization": bearer(tenant_sandbox)}
            ) as answer,
        ):
            assert answer.status == 503
    finally:
        await runner.cleanup()
    assert accepted == []


@dataclass
class Lifecycle:
    established: list[tuple[str, str]] = field(default_factory=list)

    async def call_established(self, meeting_id: str, call_id: str) -> None:
        self.established.append((meeting_id, call_id))


class Events:
    async def roster_changed(self, meeting_id: str, roster: object) -> None:
        return None

    async def roster_unchecked(self, meeting_id: str) -> None:
        return None


@dataclass
class CallingBot:
    meeting_id: str
    lifecycle: Lifecycle
    inbox: CallNotificationInbox
    calls: MeetingCalls
    thread_id: str


@pytest.fixture
async def calling_bot(
    tenant_sandbox: RunningSandbox, store: Store, mailbox: ConsentMailbox, clock: FakeClock
) -> AsyncIterator[CallingBot]:
    """A meeting in the store and in Teams, and the bot's `/api/calls` served with the calls
    inbox, its tokens checked against the sandbox through the setting production uses."""
    tenant = tenant_sandbox.tenant
    tenant.sandbox_url = tenant_sandbox.origin
    clock.now = datetime.now(UTC)
    start = clock.now + timedelta(hours=1)
    planned = parent_and_school_meeting(start)
    meetings = OnlineMeetings(mailbox.graph, BOT_CATALOG_APP_ID, tenant_sandbox.graph_base_url)
    _, teams = await open_teams_meeting(
        meetings, COORDINATOR.object_id, planned.title, "", (start, planned.ends_at), ()
    )
    assert (await lock_down_and_confirm(meetings, COORDINATOR.object_id, teams.id))[0]
    async with store.unit_of_work() as uow:
        row = await uow.meetings.add(planned, uow.now())
        row.teams_meeting_id, row.teams_chat_thread_id = teams.id, teams.chat_thread_id
        row.teams_settings_confirmed_at = uow.now()
        await uow.commit()

    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    origin = f"http://127.0.0.1:{listening.getsockname()[1]}"
    lifecycle = Lifecycle()
    inbox = CallNotificationInbox(store, "instance-a")
    inbox.start(lifecycle, Events())
    app = web.Application()
    checker = CallingTokenValidator(
        BOT_CLIENT_ID, calling_openid_url(tenant_sandbox.origin), tenant.tenant_id
    )
    attach_calling(app, checker, inbox)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.SockSite(runner, listening).start()
    tenant_sandbox.teams.create(teams.id)
    await tenant_sandbox.teams.start(teams.id)
    calls = MeetingCalls(mailbox.graph, origin + CALLBACK_PATH, tenant.tenant_id)
    yield CallingBot(row.id, lifecycle, inbox, calls, teams.chat_thread_id)
    await runner.cleanup()


async def choose_issuer(sandbox: RunningSandbox, issuer: str) -> int:
    async with (
        aiohttp.ClientSession() as http,
        http.put(sandbox.url("/sandbox/api/calls/token-issuer"), json={"issuer": issuer}) as answer,
    ):
        return answer.status


@pytest.mark.parametrize("issuer", CALLING_TOKEN_ISSUERS)
async def test_a_call_established_notification_signed_by_either_issuer_is_handled(
    calling_bot: CallingBot, tenant_sandbox: RunningSandbox, store: Store, issuer: str
) -> None:
    assert await choose_issuer(tenant_sandbox, issuer) == 200

    call_id = await calling_bot.calls.join(calling_bot.thread_id, COORDINATOR.object_id)
    for _ in range(3):
        await tenant_sandbox.calling.idle()
        await calling_bot.inbox.idle()

    assert calling_bot.lifecycle.established == [(calling_bot.meeting_id, call_id)]
    outcomes = {delivery.outcome for delivery in tenant_sandbox.calling.deliveries}
    assert outcomes == {"delivered: HTTP 202"}
    async with store.reading() as uow:
        actions = set(
            await uow.session.scalars(
                select(AuditEntryRow.action).where(
                    AuditEntryRow.meeting_id == calling_bot.meeting_id
                )
            )
        )
    assert "call.state_changed" in actions


async def test_the_sandbox_signs_with_no_issuer_microsoft_does_not_use(
    tenant_sandbox: RunningSandbox,
) -> None:
    assert await choose_issuer(tenant_sandbox, "https://issuer.example") == 400
    assert tenant_sandbox.tenant.calling_token_issuer == "https://api.botframework.com"
