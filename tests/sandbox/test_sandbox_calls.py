"""Graph cloud communications through the product's msgraph-sdk client: the bot joins a meeting,
hears (with a calling-service JWT) that the call is established and who is in it, sees a
participant start recording in the roster, plays prompts the sandbox fetches and checks (one
after another in a call, as Teams queues them, the room saying when the bot did not wait), and
hangs up; the notification fault knobs reorder notifications and vary call ids."""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import quote

import aiohttp
from msgraph.generated.communications.calls.item.play_prompt.play_prompt_post_request_body import (
    PlayPromptPostRequestBody,
)
from msgraph.generated.models.call import Call
from msgraph.generated.models.call_state import CallState
from msgraph.generated.models.chat_info import ChatInfo
from msgraph.generated.models.identity import Identity
from msgraph.generated.models.identity_set import IdentitySet
from msgraph.generated.models.media_info import MediaInfo
from msgraph.generated.models.media_prompt import MediaPrompt
from msgraph.generated.models.modality import Modality
from msgraph.generated.models.online_meeting import OnlineMeeting
from msgraph.generated.models.operation_status import OperationStatus
from msgraph.generated.models.organizer_meeting_info import OrganizerMeetingInfo
from msgraph.generated.models.service_hosted_media_config import ServiceHostedMediaConfig
from msgraph.graph_service_client import GraphServiceClient

from sandbox.calls.calls import comparable_call_id
from sandbox.entra.tokens import TokenIssuer
from sandbox.seed import ADVISER, BOT_CLIENT_ID, COORDINATOR
from sandbox.tenant import GRAPH_RESOURCE
from tests.sandbox.bot_double import BotDouble
from tests.sandbox.builders import meeting_with_bot, verified_claims, wav
from tests.sandbox.conftest import RunningSandbox


def join(meeting: OnlineMeeting, callback_uri: str) -> Call:
    assert meeting.chat_info is not None
    return Call(
        callback_uri=callback_uri,
        requested_modalities=[Modality.Audio],
        media_config=ServiceHostedMediaConfig(),
        chat_info=ChatInfo(thread_id=meeting.chat_info.thread_id, message_id="0"),
        meeting_info=OrganizerMeetingInfo(
            organizer=IdentitySet(user=Identity(id=COORDINATOR.object_id))
        ),
    )


def prompt(uri: str) -> PlayPromptPostRequestBody:
    return PlayPromptPostRequestBody(
        client_context="role-statement", prompts=[MediaPrompt(media_info=MediaInfo(uri=uri))]
    )


def only(received: Any) -> dict[str, Any]:
    notifications: list[dict[str, Any]] = received.body["value"]
    assert len(notifications) == 1
    return notifications[0]


def recording_by_user(roster: list[dict[str, Any]]) -> dict[str, str]:
    return {
        p["info"]["identity"]["user"]["id"]: p["recordingInfo"]["recordingStatus"]
        for p in roster
        if "user" in p["info"]["identity"]
    }


async def joined_call(
    graph: GraphServiceClient, sandbox: RunningSandbox, bot: BotDouble, subject: str
) -> tuple[OnlineMeeting, Call]:
    meeting = await meeting_with_bot(graph, subject)
    assert meeting.id is not None
    sandbox.teams.create(meeting.id)
    await sandbox.teams.start(meeting.id)
    call = await graph.communications.calls.post(join(meeting, bot.url("/api/calls")))
    assert call is not None
    return meeting, call


async def test_the_bot_joins_sees_the_roster_and_recording_and_hangs_up(
    graph: GraphServiceClient,
    sandbox: RunningSandbox,
    http: aiohttp.ClientSession,
    bot: BotDouble,
) -> None:
    meeting, call = await joined_call(graph, sandbox, bot, "Calling")
    assert call.state == CallState.Establishing
    assert call.id is not None
    assert meeting.id is not None

    establishing = only(await bot.next_notification())
    established_received = await bot.next_notification()
    established = only(established_received)
    assert (establishing["resourceData"]["state"], established["resourceData"]["state"]) == (
        "establishing",
        "established",
    )
    assert established["resourceUrl"] == f"/communications/calls/{call.id}"
    assert established["resourceData"]["chatInfo"]["threadId"] == meeting.chat_info.thread_id  # type: ignore[union-attr]
    async with http.get(
        sandbox.url("/api.aps.skype.com/v1/.well-known/openidconfiguration")
    ) as metadata:
        jwks_uri = (await metadata.json())["jwks_uri"]
    token = established_received.authorization.removeprefix("Bearer ")
    claims = await verified_claims(token, jwks_uri, BOT_CLIENT_ID)
    assert claims["tid"] == sandbox.tenant.tenant_id

    roster = only(await bot.next_notification())
    assert roster["resourceUrl"] == f"/communications/calls/{call.id}/participants"
    assert isinstance(roster["resourceData"], list)
    assert recording_by_user(roster["resourceData"]) == {COORDINATOR.object_id: "notRecording"}
    assert any("application" in p["info"]["identity"] for p in roster["resourceData"])

    await sandbox.teams.admit(meeting.id, ADVISER.object_id)
    with_adviser = only(await bot.notification_about("/participants"))
    assert set(recording_by_user(with_adviser["resourceData"])) == {
        COORDINATOR.object_id,
        ADVISER.object_id,
    }
    sandbox.tenant.meetings.get(meeting.id).allow_recording = True  # type: ignore[union-attr]
    sandbox.teams.start_recording(meeting.id, ADVISER.object_id)
    recording = only(await bot.notification_about("/participants"))
    assert recording_by_user(recording["resourceData"]) == {
        COORDINATOR.object_id: "notRecording",
        ADVISER.object_id: "recording",
    }

    await graph.communications.calls.by_call_id(call.id).delete()
    await bot.notification_about(f"/communications/calls/{call.id}", "updated")
    ended = only(await bot.notification_about(f"/communications/calls/{call.id}", "deleted"))
    assert ended["resourceData"]["state"] == "terminated"
    assert ended["resourceData"]["resultInfo"]["code"] == 200


async def test_prompts_are_fetched_checked_and_reported_when_done(
    graph: GraphServiceClient,
    sandbox: RunningSandbox,
    http: aiohttp.ClientSession,
    bot: BotDouble,
) -> None:
    _, call = await joined_call(graph, sandbox, bot, "Prompts")
    assert call.id is not None
    bot.prompts["role.wav"] = wav(rate=16000, seconds=0.2)
    bot.prompts["wrong-rate.wav"] = wav(rate=22050, seconds=0.2)
    calls = graph.communications.calls.by_call_id(call.id)

    operation = await calls.play_prompt.post(prompt(bot.url("/prompts/role.wav")))
    assert operation is not None
    assert operation.status == OperationStatus.Running
    done = only(await bot.notification_about(f"/operations/{operation.id}", "deleted"))
    assert done["resourceData"]["@odata.type"] == "#microsoft.graph.playPromptOperation"
    assert done["resourceData"]["status"] == "completed"
    assert done["resourceData"]["resultInfo"]["code"] == 200
    assert done["resourceData"]["clientContext"] == "role-statement"

    refused = await calls.play_prompt.post(prompt(bot.url("/prompts/wrong-rate.wav")))
    assert refused is not None
    failed = only(await bot.notification_about(f"/operations/{refused.id}", "deleted"))
    assert failed["resourceData"]["status"] == "failed"
    assert failed["resourceData"]["resultInfo"]["code"] == 400
    assert "22050 Hz" in failed["resourceData"]["resultInfo"]["message"]

    async with http.get(sandbox.url("/sandbox/api/calls")) as response:
        state = await response.json()
    played = next(c for c in state["value"] if c["id"] == call.id)["operations"]
    assert [(o["status"], o["prompts"][0]["durationSeconds"]) for o in played] == [
        ("completed", 0.2),
        ("failed", None),
    ]


async def test_prompts_asked_for_together_play_one_after_another_and_the_room_says_so(
    graph: GraphServiceClient,
    sandbox: RunningSandbox,
    http: aiohttp.ClientSession,
    bot: BotDouble,
) -> None:
    meeting, call = await joined_call(graph, sandbox, bot, "Two prompts")
    assert call.id is not None
    assert meeting.id is not None
    bot.prompts["statement.wav"] = wav(rate=16000, seconds=0.4)
    bot.prompts["warning.wav"] = wav(rate=16000, seconds=0.2)
    calls = graph.communications.calls.by_call_id(call.id)

    first = await calls.play_prompt.post(prompt(bot.url("/prompts/statement.wav")))
    second = await calls.play_prompt.post(prompt(bot.url("/prompts/warning.wav")))
    assert first is not None
    assert second is not None
    assert (first.status, second.status) == (OperationStatus.Running, OperationStatus.NotStarted)
    html = await (
        await http.get(sandbox.url(f"/sandbox/meetings/{quote(meeting.id, safe='')}"))
    ).text()
    assert "A spoken prompt, waiting. The bot asked for it while its previous prompt" in html

    only(await bot.notification_about(f"/operations/{first.id}", "deleted"))
    done = only(await bot.notification_about(f"/operations/{second.id}", "deleted"))
    assert done["resourceData"]["status"] == "completed"
    async with http.get(sandbox.url("/sandbox/api/calls")) as response:
        state = await response.json()
    statement, warning = next(c for c in state["value"] if c["id"] == call.id)["operations"]
    assert (statement["askedDuring"], warning["askedDuring"]) == (None, first.id)
    assert warning["requestedAt"] < statement["finishedAt"] <= warning["startedAt"]


async def test_call_notifications_obey_the_fault_knobs(
    graph: GraphServiceClient, sandbox: RunningSandbox, bot: BotDouble
) -> None:
    sandbox.tenant.faults.vary_call_ids = True
    sandbox.tenant.faults.disturb_notifications("reorder")
    meeting, call = await joined_call(graph, sandbox, bot, "Faults")
    assert call.id is not None
    assert meeting.id is not None

    first, second = only(await bot.next_notification()), only(await bot.next_notification())
    assert [first["resourceData"]["state"], second["resourceData"]["state"]] == [
        "established",
        "establishing",
    ]
    written = {n["resourceUrl"].rsplit("/", 1)[-1] for n in (first, second)}
    assert call.id not in written
    assert {comparable_call_id(w) for w in written} == {comparable_call_id(call.id)}

    await sandbox.teams.end(meeting.id)
    ended = only(await bot.notification_about("", "deleted"))
    assert int(ended["resourceData"]["resultInfo"]["subcode"]) == 5002  # a number or a string


async def test_joining_needs_a_calling_permission_and_a_known_meeting(
    graph: GraphServiceClient,
    sandbox: RunningSandbox,
    http: aiohttp.ClientSession,
    bot: BotDouble,
) -> None:
    meeting = await meeting_with_bot(graph, "Permissions")
    app = sandbox.tenant.app(BOT_CLIENT_ID)
    assert app is not None
    without_calls = dataclasses.replace(app, application_permissions=frozenset({"Mail.Send"}))
    token = TokenIssuer(sandbox.tenant).app_access_token(without_calls, GRAPH_RESOURCE).value
    assert meeting.chat_info is not None
    body = {
        "callbackUri": bot.url("/api/calls"),
        "mediaConfig": {"@odata.type": "#microsoft.graph.serviceHostedMediaConfig"},
        "chatInfo": {"threadId": meeting.chat_info.thread_id, "messageId": "0"},
        "meetingInfo": {
            "@odata.type": "#microsoft.graph.organizerMeetingInfo",
            "organizer": {"user": {"id": COORDINATOR.object_id}},
        },
    }
    url = sandbox.url("/v1.0/communications/calls")
    async with http.post(url, json=body, headers={"Authorization": f"Bearer {token}"}) as denied:
        assert denied.status == 403
    full = TokenIssuer(sandbox.tenant).app_access_token(app, GRAPH_RESOURCE).value
    unknown = {**body, "chatInfo": {"threadId": "19:meeting_nothing@thread.v2", "messageId": "0"}}
    async with http.post(url, json=unknown, headers={"Authorization": f"Bearer {full}"}) as missing:
        assert missing.status == 404
    wrong_organizer = {
        **body,
        "meetingInfo": {"organizer": {"user": {"id": ADVISER.object_id}}},
    }
    async with http.post(
        url, json=wrong_organizer, headers={"Authorization": f"Bearer {full}"}
    ) as mismatch:
        assert mismatch.status == 400
