"""How the sandbox's Graph refuses and disturbs requests: Graph-shaped 401/403 errors,
throttling and server errors that msgraph-sdk's retry handler rides out without applying a
change twice, and the fault knobs' control API."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import aiohttp
import jwt
import pytest
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.online_meeting import OnlineMeeting
from msgraph.graph_service_client import GraphServiceClient

from sandbox.entra.tokens import TokenIssuer
from sandbox.seed import BOT_CLIENT_ID, COORDINATOR, YOUNG_PERSON
from sandbox.signing import SigningKey
from sandbox.tenant import BOT_FRAMEWORK_RESOURCE, GRAPH_RESOURCE
from tests.sandbox.builders import new_meeting
from tests.sandbox.conftest import RunningSandbox
from tests.sandbox.people import inbox, send_from_consent_mailbox, unique_subject


def meeting_path(meeting_id: str = "unknown") -> str:
    return f"/v1.0/users/{COORDINATOR.object_id}/onlineMeetings/{meeting_id}"


async def graph_get(
    http: aiohttp.ClientSession, sandbox: RunningSandbox, token: str | None
) -> tuple[int, dict[str, Any], aiohttp.typedefs.LooseHeaders]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with http.get(sandbox.url(meeting_path()), headers=headers) as response:
        return response.status, await response.json(), dict(response.headers)


def app_token(sandbox: RunningSandbox, **changes: Any) -> str:
    """A token for the bot's app, with its registration changed as given."""
    app = sandbox.tenant.app(BOT_CLIENT_ID)
    assert app is not None
    return (
        TokenIssuer(sandbox.tenant)
        .app_access_token(dataclasses.replace(app, **changes), GRAPH_RESOURCE)
        .value
    )


async def test_a_request_without_a_token_gets_graphs_401(
    sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    status, body, headers = await graph_get(http, sandbox, None)
    assert status == 401
    assert body["error"]["code"] == "InvalidAuthenticationToken"
    assert set(body["error"]["innerError"]) == {"date", "request-id", "client-request-id"}
    assert "authorization_uri" in headers["WWW-Authenticate"]
    assert headers["request-id"] == body["error"]["innerError"]["request-id"]


async def test_expired_foreign_or_misaddressed_tokens_are_refused(
    sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    good = app_token(sandbox)
    claims = jwt.decode(good, options={"verify_signature": False})
    expired = sandbox.tenant.signing_key.sign({**claims, "exp": int(time.time()) - 3600})
    foreign = SigningKey.generate("someone else", sandbox.tenant.now()).sign(claims)
    app = sandbox.tenant.app(BOT_CLIENT_ID)
    assert app is not None
    bot_framework = TokenIssuer(sandbox.tenant).app_access_token(app, BOT_FRAMEWORK_RESOURCE).value

    for token, message in [
        (expired, "Lifetime validation failed, the token is expired."),
        (foreign, "Access token validation failure."),
        (bot_framework, "Access token validation failure. Invalid audience."),
    ]:
        status, body, _ = await graph_get(http, sandbox, token)
        assert status == 401
        assert body["error"]["message"] == message


async def test_a_token_without_the_permission_gets_403(
    sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    status, body, _ = await graph_get(
        http, sandbox, app_token(sandbox, application_permissions=frozenset({"Mail.Send"}))
    )
    assert status == 403
    assert body["error"]["code"] == "Forbidden"
    assert "OnlineMeetings.ReadWrite.All" in body["error"]["message"]


async def test_a_throttled_send_is_retried_by_the_sdk_and_delivered_once(
    graph: GraphServiceClient, sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    sandbox.tenant.faults.throttle(
        1, retry_after_seconds=1, method="POST", path_contains="sendMail"
    )
    subject = unique_subject("Throttled")
    started = time.monotonic()
    await send_from_consent_mailbox(graph, YOUNG_PERSON.address, subject)
    assert time.monotonic() - started >= 1
    delivered = [
        m for m in await inbox(http, sandbox, YOUNG_PERSON.address) if m["subject"] == subject
    ]
    assert len(delivered) == 1
    assert sandbox.tenant.faults.describe()["requestFaults"] == []


async def test_a_patch_after_a_server_error_and_a_429_applies_once(
    graph: GraphServiceClient, sandbox: RunningSandbox
) -> None:
    meetings = graph.users.by_user_id(COORDINATOR.object_id).online_meetings
    created = await meetings.post(new_meeting("Retried update"))
    assert created is not None
    assert created.id is not None
    sandbox.tenant.faults.fail(1, status=503, retry_after_seconds=1, method="PATCH")
    sandbox.tenant.faults.throttle(1, retry_after_seconds=1, method="PATCH")

    patched = await meetings.by_online_meeting_id(created.id).patch(
        OnlineMeeting(allow_recording=True)
    )
    assert patched is not None
    assert patched.allow_recording is True
    assert sandbox.tenant.faults.describe()["requestFaults"] == []


async def test_a_500_is_not_retried_and_reaches_the_caller(
    graph: GraphServiceClient, sandbox: RunningSandbox
) -> None:
    sandbox.tenant.faults.fail(1, status=500)
    with pytest.raises(ODataError) as failed:
        await (
            graph.users.by_user_id(COORDINATOR.object_id)
            .online_meetings.by_online_meeting_id("any")
            .get()
        )
    assert failed.value.response_status_code == 500
    assert sandbox.tenant.faults.describe()["requestFaults"] == []


async def test_fault_knobs_through_the_control_api(
    graph: GraphServiceClient, sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    faults_url = sandbox.url("/sandbox/api/faults")
    knobs = {
        "latencySeconds": 0.2,
        "throttle": {"count": 2, "retryAfterSeconds": 1, "pathContains": "nowhere"},
        "notifications": {"fault": "drop", "count": 1},
    }
    async with http.post(faults_url, json=knobs) as response:
        assert response.status == 200
        described = await response.json()
    assert described["latencySeconds"] == 0.2
    assert described["requestFaults"][0]["remaining"] == 2
    assert described["notificationFaults"] == ["drop"]

    started = time.monotonic()
    await graph.users.by_user_id(COORDINATOR.object_id).online_meetings.post(new_meeting("Slow"))
    assert time.monotonic() - started >= 0.2

    async with http.delete(faults_url) as cleared:
        assert cleared.status == 204
    async with http.get(faults_url) as response:
        assert await response.json() == {
            "latencySeconds": 0.0,
            "varyCallIds": False,
            "requestFaults": [],
            "notificationFaults": [],
        }
    async with http.post(faults_url, json={"fail": {"status": 404}}) as refused:
        assert refused.status == 400


async def test_an_unknown_graph_path_gets_a_graph_error(
    sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    async with http.get(sandbox.url("/v1.0/nowhere/to/be/found")) as response:
        assert response.status == 400
        body = await response.json()
    assert body["error"]["message"] == "Resource not found for the segment 'found'."
