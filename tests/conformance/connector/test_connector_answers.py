"""Microsoft's documented Bot Connector meeting answers and requests (`tests/conformance/
connector/`): the participant look-up's answer read as the bot reads it (the Teams SDK's model,
then the bot's staff test), the sandbox's answer carrying every documented key, and the
documented targeted notification taken by the sandbox's parser as Teams takes it."""

from __future__ import annotations

from typing import Any

import aiohttp
from microsoft_teams.api.models.meetings import MeetingParticipant
from msgraph.graph_service_client import GraphServiceClient

from bot.agent.teams_people import is_our_member, teams_person
from sandbox.seed import ADVISER
from sandbox.teams.activities import MEETING_START
from tests.conformance.documented import documented, key_paths
from tests.sandbox.bot_double import BotDouble
from tests.sandbox.builders import meeting_with_bot
from tests.sandbox.conftest import RunningSandbox

BOB = "e236c4bf-88b1-4f3a-b1d7-8891dfc332b5"
BOBS_TENANT = "2fe477ab-0efc-4dfd-bde2-484374e2c373"


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

    documented_keys = key_paths(documented("connector/meeting_participant.json"))
    assert {path.replace("role ", "role") for path in documented_keys} <= key_paths(body)


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
