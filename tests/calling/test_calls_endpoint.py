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
from bot.calling.notifications import ReceivedNotice, RosterNotice, unhandled_notifications
from bot.calling.prompts import PromptShelf, attach_prompts
from bot.calling.tokens import CallingTokenValidator
from bot.services.live_meeting import RosterEntry
from consent_store.crypto import FieldCipher
from consent_store.keys import new_key, parse_key_ring
from sandbox.botframework.tokens import calling_token
from sandbox.endpoints import calling_openid_url
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
        calling_openid_url(tenant_sandbox.origin),
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


async def test_a_notification_the_bot_does_not_handle_is_logged_and_counted_not_dropped(
    client: TestClient,
    tenant_sandbox: RunningSandbox,
    inbox: Inbox,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A batch from the calling service holding a roster and a change to an audio routing
    group (a documented resource of a call, `/communications/calls/{id}/audioRoutingGroups/{id}`,
    https://learn.microsoft.com/graph/api/audioroutinggroup-update, in a commsNotification,
    https://learn.microsoft.com/graph/api/resources/commsnotification, whose `resourceData` is
    "an entity or a collection of entities"): the roster is handed on, the other is logged by
    its kind alone and counted, and the batch is answered 202 so Graph does not send it again."""
    roster = {
        "@odata.type": "#microsoft.graph.commsNotification",
        "changeType": "updated",
        "resourceUrl": f"/communications/calls/{CALL}/participants",
        "resourceData": [
            {
                "@odata.type": "#microsoft.graph.participant",
                "id": "p1",
                "info": {"identity": {"user": {"id": "oid-1", "displayName": "Robin Parent"}}},
            }
        ],
    }
    routing_group = {
        "@odata.type": "#microsoft.graph.commsNotification",
        "changeType": "updated",
        "resourceUrl": f"/communications/calls/{CALL}/audioRoutingGroups/group-of-p1",
        "resourceData": {
            "@odata.type": "#microsoft.graph.audioRoutingGroup",
            "id": "group-of-p1",
            "routingMode": "oneToOne",
            "sources": ["p1"],
            "receivers": ["Robin Parent"],
        },
    }
    key = (
        "#microsoft.graph.audioRoutingGroup",
        "updated",
        "/communications/calls/{id}/audioRoutingGroups/{id}",
    )
    before = unhandled_notifications[key]
    headers = {"Authorization": f"Bearer {calling_token(tenant_sandbox.tenant, BOT_CLIENT_ID)}"}
    body = {"value": [roster, routing_group]}
    with caplog.at_level("WARNING", logger="bot.calling.notifications"):
        async with client.post("/api/calls", json=body, headers=headers) as response:
            assert response.status == 202
    assert [received.notice for received in inbox.accepted] == [
        RosterNotice(CALL, (RosterEntry("p1", "Robin Parent", "oid-1", recording=False),))
    ]
    assert unhandled_notifications[key] == before + 1
    (line,) = [r.getMessage() for r in caplog.records if r.name == "bot.calling.notifications"]
    assert "#microsoft.graph.audioRoutingGroup" in line
    assert "'updated'" in line
    assert "/communications/calls/{id}/audioRoutingGroups/{id}" in line
    assert CALL in line
    assert "group-of-p1" not in line
    assert "Robin" not in line


def cipher(key: str | None = None) -> FieldCipher:
    """The store's field cipher under one encryption key (a fresh one unless given)."""
    ring = parse_key_ring(
        encryption_keys=f"k1:{key or new_key()}",
        active_key_id="k1",
        blind_index_key=new_key(),
        audit_key=new_key(),
    )
    return FieldCipher(ring)


async def test_prompts_are_served_by_content_hash() -> None:
    shelf = PromptShelf(Speech(), "https://bot.example/", cipher(), max_prompts=1)
    app = web.Application()
    attach_prompts(app, shelf)
    first = await shelf.publish("Hello there.")
    path = first.url.removeprefix("https://bot.example")
    assert path.startswith(f"/prompts/{first.key}/")
    assert path.endswith(".wav")
    async with TestClient(TestServer(app)) as test_client:
        async with test_client.get(path) as response:
            assert response.status == 200
            assert response.content_type == "audio/wav"
            assert await response.read() == shelf.get(first.key)
        second = await shelf.publish("Something else entirely.")
        assert shelf.get(first.key) is None
        async with test_client.get(second.url.removeprefix("https://bot.example")) as kept:
            assert kept.status == 200


async def test_any_instance_serves_a_prompt_another_made_without_the_text_in_the_url() -> None:
    shared_key = new_key()
    made_by = PromptShelf(Speech(), "https://bot.example/", cipher(shared_key))
    other = PromptShelf(Speech(), "https://bot.example/", cipher(shared_key))
    stranger = PromptShelf(Speech(), "https://bot.example/", cipher())
    text = "Alex Smith from the SEND Information, Advice and Support Service is here."
    prompt = await made_by.publish(text)
    assert "Alex" not in prompt.url
    assert "Smith" not in prompt.url
    path = prompt.url.removeprefix("https://bot.example")
    other_app, stranger_app = web.Application(), web.Application()
    attach_prompts(other_app, other)
    attach_prompts(stranger_app, stranger)
    async with TestClient(TestServer(other_app)) as other_client:
        async with other_client.get(path) as response:
            assert response.status == 200
            assert await response.read() == made_by.get(prompt.key)
        moved = path.replace(prompt.key, "0" * 64)
        async with other_client.get(moved) as moved_response:
            assert moved_response.status == 404
    async with (
        TestClient(TestServer(stranger_app)) as stranger_client,
        stranger_client.get(path) as unopened,
    ):
        assert unopened.status == 404
