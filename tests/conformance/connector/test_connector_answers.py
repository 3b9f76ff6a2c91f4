"""Microsoft's documented Bot Connector meeting answers and requests (`tests/conformance/
connector/`): the participant look-up's answer read as the bot reads it (the Teams SDK's model,
then the bot's staff test), the sandbox's answer carrying every documented key, and the
documented targeted notification taken by the sandbox's parser as Teams takes it; and the
bot's own targeted notification to staff (`TeamsMeetingChat`) reading the documented
participant answer from a connector that serves it, and sending a request of the documented
notification's shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import Connections
from microsoft_teams.api.models.meetings import MeetingParticipant
from msgraph.graph_service_client import GraphServiceClient

from bot.agent.meeting_chat import TeamsMeetingChat, teams_meeting_id
from bot.agent.service_urls import ServiceUrls
from bot.agent.teams_people import is_our_member, teams_person
from sandbox.seed import ADVISER
from sandbox.teams.activities import MEETING_START
from tests.conformance.documented import documented, shape_gaps
from tests.sandbox.bot_double import BotDouble
from tests.sandbox.builders import meeting_with_bot
from tests.sandbox.conftest import RunningSandbox

BOB = "e236c4bf-88b1-4f3a-b1d7-8891dfc332b5"
BOBS_TENANT = "2fe477ab-0efc-4dfd-bde2-484374e2c373"
THREAD = "19:meeting_Win6Ydo4wsMijFjZS00ZGVjLTk5MGUtOTRjNWY2NmNkYTFm@thread.v2"


def test_the_documented_participant_is_staff_of_their_own_tenant_and_in_the_meeting() -> None:
    participant = MeetingParticipant.model_validate(
        documented("connector/meeting_participant.json")
    )

    assert participant.user is not None
    assert participant.meeting is not None
    assert participant.meeting.in_meeting is True
    assert is_our_member(participant.user, BOB, BOBS_TENANT)
    assert not is_our_member(participant.user, BOB, "0c0ffee0-1111-4222-8333-444455556666")
    assert teams_person(participant.user).object_id == BOB


async def started(
    graph: GraphServiceClient, sandbox: RunningSandbox, bot: BotDouble
) -> tuple[str, str, str]:
    """A started meeting with the bot installed: its Graph id, its Teams meeting id and the
    organiser's 29: id."""
    meeting = await meeting_with_bot(graph, "Conformance")
    assert meeting.id is not None
    sandbox.teams.create(meeting.id)
    await sandbox.teams.start(meeting.id)
    start = (await bot.activity_named(MEETING_START)).body
    live = sandbox.tenant.live_meetings.get(meeting.id)
    assert live is not None
    return meeting.id, live.teams_meeting_id, start["from"]["id"]


async def test_the_sandbox_participant_answer_has_every_documented_key(
    graph: GraphServiceClient,
    sandbox: RunningSandbox,
    bot: BotDouble,
    http: aiohttp.ClientSession,
    connector_token: str,
) -> None:
    graph_id, meeting_id, _ = await started(graph, sandbox, bot)
    url = sandbox.url(f"/connector/v1/meetings/{meeting_id}/participants/{ADVISER.object_id}")
    await sandbox.teams.admit(graph_id, ADVISER.object_id)

    async with http.get(
        url,
        params={"tenantId": sandbox.tenant.tenant_id},
        headers={"Authorization": f"Bearer {connector_token}"},
    ) as answer:
        assert answer.status == 200
        body: dict[str, Any] = await answer.json()

    example = documented("connector/meeting_participant.json")
    example["meeting"]["role"] = example["meeting"].pop("role ")
    assert shape_gaps(example, body) == set()


async def test_the_documented_targeted_notification_is_taken_by_the_sandbox(
    graph: GraphServiceClient,
    sandbox: RunningSandbox,
    bot: BotDouble,
    http: aiohttp.ClientSession,
    connector_token: str,
) -> None:
    graph_id, meeting_id, organiser = await started(graph, sandbox, bot)
    body = documented("connector/targeted_notification.json")
    body["value"]["recipients"] = [organiser]

    async with http.post(
        sandbox.url(f"/connector/v1/meetings/{meeting_id}/notification"),
        json=body,
        headers={"Authorization": f"Bearer {connector_token}"},
    ) as answer:
        assert answer.status == 202

    live = sandbox.tenant.live_meetings.get(graph_id)
    assert live is not None
    assert [n["recipients"] for n in live.notifications] == [[organiser]]
    assert live.notifications[0]["surfaces"] == body["value"]["surfaces"]


@dataclass
class DocumentedConnector:
    """A Bot Connector answering the participant look-up with Microsoft's documented answer
    and taking targeted notifications (202, as documented); keeps what it was asked."""

    asked: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    notified: list[dict[str, Any]] = field(default_factory=list)

    async def participant(self, request: web.Request) -> web.Response:
        self.asked.append(("GET", request.path, dict(request.query)))
        return web.json_response(documented("connector/meeting_participant.json"))

    async def notification(self, request: web.Request) -> web.Response:
        self.asked.append(("POST", request.path, dict(request.query)))
        self.notified.append(await request.json())
        return web.Response(status=202)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/v1/meetings/{meeting}/participants/{person}", self.participant)
        app.router.add_post("/v1/meetings/{meeting}/notification", self.notification)
        return app


class Token:
    async def get_access_token(self, resource: str, scopes: list[str]) -> str:
        return "token"


class Connection:
    def get_default_connection(self) -> Token:
        return Token()


class KnownServiceUrl:
    def __init__(self, url: str) -> None:
        self.url = url

    async def of(self, thread_id: str) -> str:
        return self.url


async def test_the_bots_notice_to_a_documented_participant_has_the_documented_shape() -> None:
    """The bot's targeted notification to a member of staff (`TeamsMeetingChat`, through the
    Teams SDK's client): the documented participant answer turns Bob's object id into his
    `29:` id, and the notification the bot sends has the documented request's shape. The
    documented `channelData.onBehalfOf` is optional ("optional if a developer doesn't want to
    support user attributes"), and the bot sends none."""
    connector = DocumentedConnector()
    async with TestServer(connector.app()) as server:
        chat = TeamsMeetingChat(
            cast(CloudAdapter, None),
            cast(Connections, Connection()),
            cast(ServiceUrls, KnownServiceUrl(str(server.make_url("")))),
            bot_app_id="bot",
            tenant_id=BOBS_TENANT,
            page_url="https://iass.example/meetings/1",
        )
        try:
            await chat.notify_privately(THREAD, [BOB], "Recording is switched off")
        finally:
            await chat.close()

    meeting_id = teams_meeting_id(THREAD)
    assert connector.asked == [
        ("GET", f"/v1/meetings/{meeting_id}/participants/{BOB}", {"tenantId": BOBS_TENANT}),
        ("POST", f"/v1/meetings/{meeting_id}/notification", {}),
    ]
    (sent,) = connector.notified
    bob = documented("connector/meeting_participant.json")["user"]["id"]
    assert sent["value"]["recipients"] == [bob]
    example = documented("connector/targeted_notification.json")
    del example["channelData"]
    assert shape_gaps(example, sent) == set()
