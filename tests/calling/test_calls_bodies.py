"""`POST /api/calls` answers a malformed body 400 (never 500, nothing but the reason logged),
after the token check: an unauthenticated request is 401 whatever its body. Its answers carry
the security headers, with HSTS when the bot is published over https."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.calling.endpoint import attach_calling
from bot.calling.tokens import CallingTokenValidator
from bot.config import Settings
from bot.web.app import create_app
from bot.web.security_headers import STRICT_TRANSPORT_SECURITY
from sandbox.botframework.tokens import calling_token
from sandbox.endpoints import calling_openid_url
from sandbox.seed import BOT_CLIENT_ID
from tests.bad_bodies import JSON, NOT_AN_OBJECT, NOT_JSON, assert_refused_quietly
from tests.calling.test_calls_endpoint import BODY, CALL, Inbox
from tests.sandbox.conftest import RunningSandbox
from tests.web.staff_site import tenant_settings

WRONG_FIELDS: dict[str, Any] = {
    "no value": {},
    "value not a list": {"value": {"changeType": "updated"}},
    "an item that is not an object": {"value": ["updated"]},
    "resourceUrl not a string": {
        "value": [{"changeType": "updated", "resourceUrl": ["/communications/calls/x"]}]
    },
    "changeType not a string": {
        "value": [{"changeType": 1, "resourceUrl": f"/communications/calls/{CALL}"}]
    },
}

Serve = Callable[[str], AbstractAsyncContextManager[TestClient]]


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture
def serve(tenant_sandbox: RunningSandbox, inbox: Inbox) -> Serve:
    """The bot's application with `/api/calls`, published at the given address."""

    @asynccontextmanager
    async def serving(public_url: str) -> AsyncIterator[TestClient]:
        tenant = tenant_settings(tenant_sandbox.origin, public_url)
        app = create_app(Settings(_env_file=None), tenant=tenant)
        validator = CallingTokenValidator(
            BOT_CLIENT_ID, calling_openid_url(tenant_sandbox.origin), tenant.tenant_id
        )
        attach_calling(app, validator, inbox)
        async with TestClient(TestServer(app)) as client:
            yield client

    return serving


@pytest.fixture
async def client(serve: Serve) -> AsyncIterator[TestClient]:
    async with serve("http://127.0.0.1:3978") as served:
        yield served


def authorised(tenant_sandbox: RunningSandbox) -> dict[str, str]:
    return {"Authorization": f"Bearer {calling_token(tenant_sandbox.tenant, BOT_CLIENT_ID)}"}


async def post(
    client: TestClient, headers: dict[str, str], body: bytes, content_type: str = JSON
) -> int:
    async with client.post(
        "/api/calls", data=body, headers={**headers, "Content-Type": content_type}
    ) as response:
        assert "Traceback" not in await response.text()
        return response.status


@pytest.mark.parametrize("case", NOT_JSON)
async def test_a_body_that_is_not_utf8_json_is_refused(
    client: TestClient,
    tenant_sandbox: RunningSandbox,
    inbox: Inbox,
    caplog: pytest.LogCaptureFixture,
    case: str,
) -> None:
    body, content_type = NOT_JSON[case]
    assert await post(client, authorised(tenant_sandbox), body, content_type) == 400
    assert inbox.accepted == []
    assert_refused_quietly(caplog)


@pytest.mark.parametrize("case", [*NOT_AN_OBJECT, *WRONG_FIELDS])
async def test_a_body_that_is_not_comms_notifications_is_refused(
    client: TestClient,
    tenant_sandbox: RunningSandbox,
    inbox: Inbox,
    caplog: pytest.LogCaptureFixture,
    case: str,
) -> None:
    body = NOT_AN_OBJECT.get(case) or json.dumps(WRONG_FIELDS[case]).encode()
    assert await post(client, authorised(tenant_sandbox), body) == 400
    assert inbox.accepted == []
    assert_refused_quietly(caplog)


async def test_a_roster_nested_as_deep_as_json_allows_is_never_a_server_error(
    client: TestClient, tenant_sandbox: RunningSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    """Around the parser's depth limit: each is taken (202) or refused (400), and a roster taken
    is read and keyed (its canonical JSON written again) without failing."""
    statuses = set()
    for depth in range(900, 1000, 5):
        participant = (
            '{"id": "p1", "info": {"identity": {"user": {"id": "u1", "displayName": "P"}}},'
            f' "extra": {"[" * depth}{"]" * depth}}}'
        )
        roster_url = f"/communications/calls/{CALL}/participants"
        notification = (
            f'{{"changeType": "updated", "resourceUrl": "{roster_url}",'
            f' "resourceData": [{participant}]}}'
        )
        body = f'{{"value": [{notification}]}}'.encode()
        statuses.add(await post(client, authorised(tenant_sandbox), body))
    assert statuses == {202, 400}
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_a_body_over_the_size_limit_is_too_large(
    client: TestClient, tenant_sandbox: RunningSandbox, inbox: Inbox
) -> None:
    body = json.dumps({"value": [], "padding": "x" * (1024**2 + 1)}).encode()
    assert await post(client, authorised(tenant_sandbox), body) == 413
    assert inbox.accepted == []


@pytest.mark.parametrize("case", ["nested 100,000 deep", "invalid UTF-8"])
async def test_an_unauthenticated_malformed_body_is_refused_before_it_is_read(
    client: TestClient, inbox: Inbox, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    body, content_type = NOT_JSON[case]
    assert await post(client, {}, body, content_type) == 401
    assert inbox.accepted == []
    assert not any(r.name == "bot.web.json_body" for r in caplog.records)


@pytest.mark.parametrize(
    ("public_url", "hsts"),
    [("http://127.0.0.1:3978", None), ("https://iass-bot.example.org", STRICT_TRANSPORT_SECURITY)],
)
async def test_calls_answers_carry_security_headers(
    serve: Serve, tenant_sandbox: RunningSandbox, public_url: str, hsts: str | None
) -> None:
    async with serve(public_url) as client:
        answers = [
            await client.post("/api/calls", json=BODY, headers=authorised(tenant_sandbox)),
            await client.post("/api/calls", json=BODY),
            await client.post("/api/calls", data=b"{", headers=authorised(tenant_sandbox)),
            await client.get("/api/calls"),
        ]
        assert [answer.status for answer in answers] == [202, 401, 400, 405]
        for answer in answers:
            assert answer.headers["X-Content-Type-Options"] == "nosniff"
            assert answer.headers["Content-Security-Policy"].startswith("default-src 'none'")
            assert answer.headers["Cache-Control"] == "no-store"
            assert answer.headers.get("Strict-Transport-Security") == hsts
