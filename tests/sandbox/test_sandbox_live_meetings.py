"""A live meeting made from an onlineMeeting: recording refused while `allowRecording` is false
and allowed once the product switches it on through msgraph-sdk; a file posted in its chat
reaches the bot, and its sharing is found and revoked through msgraph-sdk; and the whole
meeting driven through the control API."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest
from msgraph.generated.models.online_meeting import OnlineMeeting
from msgraph.graph_service_client import GraphServiceClient

from sandbox.seed import ADVISER, COORDINATOR, GUEST_PARENT, PARENT_CARER
from sandbox.teams.activities import FILE_DOWNLOAD_INFO, MEETING_END, MEETING_START
from sandbox.teams.meeting_outcomes import MeetingActionError, RecordingRefusedError
from tests.sandbox.bot_double import BotDouble
from tests.sandbox.builders import meeting_with_bot
from tests.sandbox.conftest import RunningSandbox


def share_id(url: str) -> str:
    return "u!" + base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")


async def test_recording_is_refused_until_the_meeting_allows_it(
    graph: GraphServiceClient, sandbox: RunningSandbox, bot: BotDouble
) -> None:
    meeting = await meeting_with_bot(graph, "Recording gate")
    assert meeting.id is not None
    teams = sandbox.teams
    teams.create(meeting.id)
    await teams.start(meeting.id)
    await teams.admit(meeting.id, ADVISER.user_principal_name)
    with pytest.raises(RecordingRefusedError):
        teams.start_recording(meeting.id, ADVISER.object_id)

    meetings = graph.users.by_user_id(COORDINATOR.object_id).online_meetings
    await meetings.by_online_meeting_id(meeting.id).patch(OnlineMeeting(allow_recording=True))
    teams.start_recording(meeting.id, ADVISER.object_id)
    live = sandbox.tenant.live_meetings.get(meeting.id)
    assert live is not None
    recorder = live.recorder()
    assert recorder is not None
    assert recorder.account.aad_object_id == ADVISER.object_id
    with pytest.raises(MeetingActionError) as twice:
        teams.start_recording(meeting.id, COORDINATOR.object_id)
    assert twice.value.status == 409
    teams.stop_recording(meeting.id, COORDINATOR.object_id)
    assert live.recorder() is None

    await meetings.by_online_meeting_id(meeting.id).patch(OnlineMeeting(allow_recording=False))
    teams.start_recording(meeting.id, COORDINATOR.object_id, started_while_permitted=True)
    assert [(e.action, e.started_while_permitted) for e in live.recording_log] == [
        ("refused", False),
        ("started", False),
        ("stopped", False),
        ("started", True),
    ]


async def test_a_file_posted_in_the_chat_is_found_and_its_sharing_revoked(
    graph: GraphServiceClient,
    sandbox: RunningSandbox,
    http: aiohttp.ClientSession,
    bot: BotDouble,
) -> None:
    meeting = await meeting_with_bot(graph, "Files in the meeting chat")
    assert meeting.id is not None
    sandbox.teams.create(meeting.id)
    posted = await sandbox.teams.post_file(
        meeting.id, ADVISER.object_id, "Unconsented plan.docx", b"Draft, not for sharing."
    )
    assert posted.delivery.delivered
    message = (await bot.next_activity()).body
    attachment = next(a for a in message["attachments"] if a["contentType"] == FILE_DOWNLOAD_INFO)
    assert attachment["name"] == "Unconsented plan.docx"
    assert attachment["content"]["fileType"] == "docx"
    assert attachment["content"]["uniqueId"] == posted.item.etag_guid.upper()
    async with http.get(attachment["content"]["downloadUrl"]) as download:
        assert download.status == 200
        assert await download.read() == b"Draft, not for sharing."

    item = await graph.shares.by_shared_drive_item_id(
        share_id(attachment["contentUrl"])
    ).drive_item.get()
    assert item is not None
    assert item.id == posted.item.id
    assert item.parent_reference is not None
    assert item.parent_reference.drive_id is not None
    permissions = (
        graph.drives.by_drive_id(item.parent_reference.drive_id)
        .items.by_drive_item_id(item.id)
        .permissions
    )
    listed = await permissions.get()
    assert listed is not None
    links = [p for p in listed.value or [] if p.link is not None]
    assert len(links) == 1
    granted = {i.user.display_name for i in links[0].granted_to_identities_v2 or [] if i.user}
    assert granted == {COORDINATOR.display_name, PARENT_CARER.display_name}
    assert links[0].id is not None
    await permissions.by_permission_id(links[0].id).delete()
    after = await permissions.get()
    assert after is not None
    assert [p.roles for p in after.value or []] == [["owner"]]

    again = await sandbox.teams.post_file(
        meeting.id, ADVISER.object_id, "Unconsented plan.docx", b""
    )
    assert again.item.name == "Unconsented plan 1.docx"

    with pytest.raises(MeetingActionError) as outsider:
        await sandbox.teams.post_file(meeting.id, PARENT_CARER.address, "notes.txt", b"x")
    assert outsider.value.status == 400
    with pytest.raises(MeetingActionError) as not_in_chat:
        await sandbox.teams.post_file(meeting.id, GUEST_PARENT.object_id, "notes.txt", b"x")
    assert not_in_chat.value.status == 403


async def call_api(
    http: aiohttp.ClientSession,
    sandbox: RunningSandbox,
    method: str,
    path: str,
    body: dict[str, Any] | None = None,
    expected: int = 200,
) -> Any:
    async with http.request(method, sandbox.url(f"/sandbox/api{path}"), json=body) as response:
        assert response.status == expected, await response.text()
        return await response.json()


async def test_a_meeting_driven_through_the_control_api(
    graph: GraphServiceClient,
    sandbox: RunningSandbox,
    http: aiohttp.ClientSession,
    bot: BotDouble,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sandbox.teams, "event_shapes", ("2021",))
    meeting = await meeting_with_bot(graph, "Driven from outside")
    assert meeting.id is not None
    configured = await call_api(http, sandbox, "GET", "/bot")
    assert configured["endpoint"] == bot.url("/api/messages")
    assert configured["serviceUrl"] == sandbox.url("/connector/")
    path = f"/meetings/{quote(meeting.id, safe='')}"

    created = await call_api(
        http, sandbox, "POST", "/meetings", {"onlineMeetingId": meeting.id}, 201
    )
    assert created["phase"] == "scheduled"
    await call_api(http, sandbox, "POST", f"{path}/start", {})
    await bot.activity_named(MEETING_START)
    admitted = await call_api(
        http, sandbox, "POST", f"{path}/participants", {"user": ADVISER.mail}, 201
    )
    assert admitted["delivery"]["outcome"] == "delivered: HTTP 200"
    stranger = await call_api(
        http, sandbox, "POST", f"{path}/participants", {"anonymousName": "A Visitor"}, 201
    )
    refused = await call_api(
        http, sandbox, "POST", f"{path}/recording/start", {"by": ADVISER.mail}, expected=403
    )
    assert "allowRecording" in refused["error"]
    await call_api(
        http,
        sandbox,
        "POST",
        f"{path}/recording/start",
        {"by": stranger["participant"]["user"]["id"], "startedWhilePermitted": True},
    )
    await call_api(
        http, sandbox, "POST", f"{path}/messages", {"from": ADVISER.mail, "text": "Hello"}, 201
    )
    posted = await call_api(
        http,
        sandbox,
        "POST",
        f"{path}/files",
        {"from": COORDINATOR.mail, "name": "agenda.pdf", "contentBase64": "JVBERi0=", "text": ""},
        201,
    )
    assert posted["webUrl"].endswith("/agenda.pdf")
    await call_api(http, sandbox, "DELETE", f"{path}/participants/{quote(ADVISER.mail)}")
    ended = await call_api(http, sandbox, "POST", f"{path}/end", {})
    await bot.activity_named(MEETING_END)

    assert ended["phase"] == "ended"
    assert [(p["user"]["name"], p["inMeeting"]) for p in ended["participants"]] == [
        (COORDINATOR.display_name, False),
        (ADVISER.display_name, False),
        ("A Visitor", False),
    ]
    assert [e["action"] for e in ended["recordingLog"]] == ["refused", "started", "stopped"]
    chat = ended["chat"]["activities"]
    assert [a["activity"].get("name") or a["activity"]["text"] for a in chat][:4] == [
        "application/vnd.microsoft.meetingStart",
        "application/vnd.microsoft.meetingParticipantJoin",
        "application/vnd.microsoft.meetingParticipantJoin",
        "application/vnd.microsoft.meetingParticipantJoin",
    ]
    assert any(a["activity"].get("text") == "Hello" for a in chat)
    async with http.get(sandbox.url(f"/sandbox/meetings/{quote(meeting.id, safe='')}")) as page:
        assert page.status == 200
        assert "agenda.pdf" in await page.text()
    await call_api(http, sandbox, "POST", f"{path}/start", {"host": "nobody"}, expected=404)
