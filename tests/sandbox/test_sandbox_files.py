"""A file posted in a meeting chat, found from its sharing URL and its sharing revoked, as the
share gate does it."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.graph_service_client import GraphServiceClient

from sandbox.seed import ADVISER, COORDINATOR, PARENT_CARER
from tests.sandbox.builders import new_meeting
from tests.sandbox.conftest import RunningSandbox


def share_id(url: str) -> str:
    return "u!" + base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")


async def post_file_in_chat(
    http: aiohttp.ClientSession, sandbox: RunningSandbox, poster: str, chat_id: str, name: str
) -> dict[str, Any]:
    path = f"/sandbox/api/users/{quote(poster)}/chat-files"
    body = {"chatId": chat_id, "name": name, "content": "Draft plan, not for sharing yet."}
    async with http.post(sandbox.url(path), json=body) as response:
        assert response.status == 201, await response.text()
        posted: dict[str, Any] = await response.json()
    return posted


async def test_a_chat_file_is_found_by_its_url_and_its_sharing_revoked(
    graph: GraphServiceClient, sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    meeting = await graph.users.by_user_id(COORDINATOR.object_id).online_meetings.post(
        new_meeting("Files in chat")
    )
    assert meeting is not None
    assert meeting.chat_info is not None
    assert meeting.chat_info.thread_id is not None
    posted = await post_file_in_chat(
        http, sandbox, ADVISER.object_id, meeting.chat_info.thread_id, "Draft EHCP.docx"
    )
    attachment = posted["attachment"]
    assert attachment["contentType"] == "reference"
    assert "/Microsoft%20Teams%20Chat%20Files/" in attachment["contentUrl"]

    item = await graph.shares.by_shared_drive_item_id(
        share_id(attachment["contentUrl"])
    ).drive_item.get()
    assert item is not None
    assert item.name == "Draft EHCP.docx"
    assert item.parent_reference is not None
    assert item.parent_reference.drive_id is not None
    assert item.id is not None
    permissions = (
        graph.drives.by_drive_id(item.parent_reference.drive_id)
        .items.by_drive_item_id(item.id)
        .permissions
    )
    listed = await permissions.get()
    assert listed is not None
    assert listed.value is not None
    links = [p for p in listed.value if p.link is not None]
    owners = [p for p in listed.value if p.roles == ["owner"]]
    assert len(links) == 1
    assert len(owners) == 1
    assert links[0].link is not None
    assert links[0].link.scope == "users"
    granted = {i.user.display_name for i in links[0].granted_to_identities_v2 or [] if i.user}
    assert granted == {COORDINATOR.display_name, PARENT_CARER.display_name}

    assert links[0].id is not None
    await permissions.by_permission_id(links[0].id).delete()
    after = await permissions.get()
    assert after is not None
    assert [p.roles for p in after.value or []] == [["owner"]]

    assert links[0].link.web_url is not None
    with pytest.raises(ODataError) as revoked_link:
        await graph.shares.by_shared_drive_item_id(share_id(links[0].link.web_url)).drive_item.get()
    assert revoked_link.value.response_status_code == 404

    assert owners[0].id is not None
    with pytest.raises(ODataError) as inherited:
        await permissions.by_permission_id(owners[0].id).delete()
    assert inherited.value.response_status_code == 400
