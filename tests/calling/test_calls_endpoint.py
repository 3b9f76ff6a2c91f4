"""`POST /api/calls` checks the calling service's JWT on every notification (keys from the
sandbox's published key set): 401 without a valid one (including one that names no tenant or
another tenant), 202 (and the notices handed on) with the token the calling service sends, 400
for a body that is not notifications; and the served prompts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.calling.endpoint import attach_calling
from bot.calling.notifications import ReceivedNotice
from bot.calling.prompts import PromptShelf, attach_prompts
from bot.calling.tokens import CallingTokenValidator, calling_openid_configuration_url
from sandbox.botframework.tokens import calling_token
from sandbox.seed import BOT_CLIENT_ID
from sandbox.signing import SigningKey
from tests.sandbox.builders import wav
from tests.sandbox.conftest import RunningSandbox

OTHER_TENANT = "0c0ffee0-1111-4222-8333-444455556666"
CALL = "2f1a0b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b"
BODY = {
    "value": [
        {
            "changeType": "updated",
            "resourceUrl": f"/communications/calls/{CALL}",
            "resourceData": {"state": "established"},
        }
    ]
}


class Inbox:
    def __init__(self) -> None:
        self.accepted: list[ReceivedNotice] = []

    async def accept(self, notices: Sequence[ReceivedNotice]) -> None:
        self.accepted.extend(notices)

    async def close(self) -> None:
        return None


class Speech:
    name = "fixed"
    voice = "none"

    async def synthesise(self, text: str) -> bytes:
        return wav(seconds=len(text) / 100)


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture
async def client(tenant_sandbox: RunningSandbox, inbox: Inbox) -> AsyncIterator[TestClient]:
    app = web.Application()
    validator = CallingTokenValidator(
        BOT_CLIENT_ID,
        calling_openid_configuration_url(tenant_sandbox.origin),
        tenant_sandbox.tenant.tenant_id,
    )
    attach_calling(app, validator, inbox)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


def claims(**changes: Any) -> dict[str, Any]:
    now = int(datetime.now(UTC).timestamp())
    return {
        "aud": BOT_CLIENT_ID,
        "iss": "https://api.botframework.com",
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
        **changes,
    }


def signed(tenant_sandbox: RunningSandbox, **changes: Any) -> str:
    """Claims as the calling service signs them (for our tenant), with `changes`."""
    return tenant_sandbox.tenant.calling_key.sign(
        claims(**{"tid": tenant_sandbox.tenant.tenant_id, **changes})
    )


def unsigned_tenant(tenant_sandbox: RunningSandbox) -> str:
    """A token from the calling service's key that names no tenant."""
    return tenant_sandbox.tenant.calling_key.sign(claims())


async def post(client: TestClient, authorization: str | None) -> int:
    headers = {} if authorization is None else {"Authorization": authorization}
    async with client.post("/api/calls", json=BODY, headers=headers) as response:
        return response.status


async def test_a_notification_with_the_calling_services_token_is_accepted(
    client: TestClient, tenant_sandbox: RunningSandbox, inbox: Inbox
) -> None:
    token = calling_token(tenant_sandbox.tenant, BOT_CLIENT_ID)
    assert await post(client, f"Bearer {token}") == 202
    assert [received.notice.call_id for received in inbox.accepted] == [CALL]


@pytest.mark.parametrize(
    "problem",
    [
        "missing",
        "not bearer",
        "bad signature",
        "unknown key",
        "audience",
        "issuer",
        "expired",
        "another tenant",
        "no tenant",
    ],
)
async def test_a_notification_without_a_valid_token_is_refused(
    client: TestClient, tenant_sandbox: RunningSandbox, inbox: Inbox, problem: str
) -> None:
    hour_ago = int((datetime.now(UTC) - timedelta(hours=1)).timestamp())
    forger = SigningKey.generate("forger", datetime.now(UTC))
    authorization = {
        "missing": None,
        "not bearer": f"Basic {signed(tenant_sandbox)}",
        "bad signature": "Bearer "
        + jwt.encode(
            claims(),
            forger.private_key,
            algorithm="RS256",
            headers={"kid": tenant_sandbox.tenant.calling_key.kid},
        ),
        "unknown key": f"Bearer {forger.sign(claims(tid=tenant_sandbox.tenant.tenant_id))}",
        "audience": f"Bearer {signed(tenant_sandbox, aud='another-app')}",
        "issuer": f"Bearer {signed(tenant_sandbox, iss='https://sts.windows.net/x/')}",
        "expired": f"Bearer {signed(tenant_sandbox, nbf=hour_ago - 60, exp=hour_ago)}",
        "another tenant": f"Bearer {signed(tenant_sandbox, tid=OTHER_TENANT)}",
        "no tenant": f"Bearer {unsigned_tenant(tenant_sandbox)}",
    }[problem]
    assert await post(client, authorization) == 401
    assert inbox.accepted == []


async def test_a_body_that_is_not_notifications_is_a_bad_request(
    client: TestClient, tenant_sandbox: RunningSandbox
) -> None:
    headers = {"Authorization": f"Bearer {signed(tenant_sandbox)}"}
    async with client.post("/api/calls", data=b"{not json", headers=headers) as response:
        assert response.status == 400


async def test_prompts_are_served_by_content_hash() -> None:
    shelf = PromptShelf(Speech(), "https://bot.example/", max_prompts=1)
    app = web.Application()
    attach_prompts(app, shelf)
    first = await shelf.publish("Hello there.")
    assert first.url == f"https://bot.example/prompts/{first.key}.wav"
    async with TestClient(TestServer(app)) as test_client:
        async with test_client.get(f"/prompts/{first.key}.wav") as response:
            assert response.status == 200
            assert response.content_type == "audio/wav"
            assert await response.read() == shelf.get(first.key)
        second = await shelf.publish("Something else entirely.")
        async with test_client.get(f"/prompts/{first.key}.wav") as dropped:
            assert dropped.status == 404
        async with test_client.get(f"/prompts/{second.key}.wav") as kept:
            assert kept.status == 200
