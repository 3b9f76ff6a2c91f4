"""Looking up a directory user through the sandbox's Graph: the product's `StaffDirectory`
finds a staff member's address by object id, and the route answers as Graph does for
`$select`, guests, unknown users and apps without the permission."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.graph_service_client import GraphServiceClient

from bot.graph.directory import StaffDirectory
from bot.ports.directory import StaffContact
from sandbox.seed import ADVISER, CONSENT_MAILBOX, COORDINATOR, GUEST_PARENT
from tests.sandbox.conftest import RunningSandbox
from tests.sandbox.test_sandbox_faults import app_token

UNKNOWN_USER = "11111111-aaaa-4bbb-8ccc-0000000000ff"


async def get_user(
    http: aiohttp.ClientSession, sandbox: RunningSandbox, token: str, path: str
) -> tuple[int, dict[str, Any]]:
    headers = {"Authorization": f"Bearer {token}"}
    async with http.get(sandbox.url(f"/v1.0/users/{path}"), headers=headers) as response:
        return response.status, await response.json()


async def test_the_directory_gives_a_staff_members_address_and_name(
    graph: GraphServiceClient,
) -> None:
    directory = StaffDirectory(graph)
    assert await directory.contact(COORDINATOR.object_id) == StaffContact(
        COORDINATOR.mail, COORDINATOR.display_name
    )
    assert await directory.contact(ADVISER.object_id) == StaffContact(
        "tom.ellery@iass-sandbox.example", "Tom Ellery"
    )


async def test_a_guest_is_found_at_their_own_address(graph: GraphServiceClient) -> None:
    contact = await StaffDirectory(graph).contact(GUEST_PARENT.object_id)
    assert contact == StaffContact("morgan.hale@example.net", "Morgan Hale")


async def test_an_unknown_user_is_graphs_404(graph: GraphServiceClient) -> None:
    with pytest.raises(ODataError) as raised:
        await StaffDirectory(graph).contact(UNKNOWN_USER)
    assert raised.value.response_status_code == 404
    assert raised.value.error is not None
    assert raised.value.error.code == "Request_ResourceNotFound"


async def test_select_returns_only_what_was_asked_and_the_default_set_otherwise(
    sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    token = app_token(sandbox)
    status, body = await get_user(
        http, sandbox, token, f"{CONSENT_MAILBOX.user_principal_name}?$select=mail,displayName"
    )
    assert status == 200
    assert {k: v for k, v in body.items() if not k.startswith("@")} == {
        "mail": "consent@iass-sandbox.example",
        "displayName": "IASS Consent",
    }
    assert body["@odata.context"].endswith("#users(mail,displayName)/$entity")

    status, body = await get_user(http, sandbox, token, COORDINATOR.object_id)
    assert status == 200
    assert body["id"] == COORDINATOR.object_id
    assert body["jobTitle"] == "IASS Co-ordinator"
    assert "userType" not in body

    status, body = await get_user(http, sandbox, token, f"{COORDINATOR.object_id}?$select=age")
    assert status == 400
    assert body["error"]["message"] == "Could not find a property named 'age' on type 'user'."


async def test_an_app_without_a_user_permission_is_refused(
    sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    token = app_token(sandbox, application_permissions=frozenset({"Mail.Send"}))
    status, body = await get_user(http, sandbox, token, COORDINATOR.object_id)
    assert status == 403
    assert body["error"]["code"] == "Authorization_RequestDenied"
