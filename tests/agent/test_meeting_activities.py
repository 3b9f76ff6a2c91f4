"""What Teams tells the bot about a meeting reaches the in-meeting use cases: the meeting's
start and end, each participant joining and leaving (as `TeamsPerson`, anonymous people with
no object id), files posted in its chat; and the chat's `serviceUrl` is kept on the meeting."""

from __future__ import annotations

from typing import Any

from bot.services.live_meeting import PostedFile, TeamsPerson
from consent_store.unit_of_work import Store
from sandbox.app_keys import BOT_CHANNEL
from sandbox.seed import ADVISER, COORDINATOR, PARENT_CARER
from sandbox.teams import activities
from sandbox.teams.activities import MEETING_START
from tests.agent.conftest import LinkedMeeting, ServedBot
from tests.sandbox.conftest import RunningSandbox


def bot_posts(sandbox: RunningSandbox, conversation_id: str) -> list[dict[str, Any]]:
    conversation = sandbox.tenant.conversations.get(conversation_id)
    assert conversation is not None
    return [e.activity for e in conversation.entries if e.direction == "from_bot"]


async def test_a_meeting_from_start_to_end(
    served_bot: ServedBot, sandbox: RunningSandbox, linked_meeting: LinkedMeeting, store: Store
) -> None:
    meeting, thread = linked_meeting.online_id, linked_meeting.thread_id
    teams = sandbox.teams

    started = await teams.start(meeting)
    parent = await teams.admit(meeting, PARENT_CARER.address)
    await teams.leave(meeting, parent.attendance.account.id)
    ended = await teams.end(meeting)

    assert started.delivery.delivered
    assert ended.delivered
    assert served_bot.events.calls == [
        ("started", thread),
        ("joined", thread),
        ("joined", thread),
        ("left", thread),
        ("left", thread),
        ("ended", thread),
    ]
    organiser, joined_parent, left_parent, left_organiser = served_bot.events.people
    assert organiser == TeamsPerson(
        started.attendance.account.id, COORDINATOR.display_name, COORDINATOR.object_id
    )
    assert (
        joined_parent
        == left_parent
        == TeamsPerson(parent.attendance.account.id, PARENT_CARER.display_name, None)
    )
    assert left_organiser.object_id == COORDINATOR.object_id
    assert bot_posts(sandbox, thread) == []
    async with store.reading() as uow:
        row = await uow.meetings.get(linked_meeting.row.id)
    assert row.teams_service_url == sandbox.tenant.connector_url


async def test_meeting_events_with_camel_case_values_are_taken(
    served_bot: ServedBot, sandbox: RunningSandbox, linked_meeting: LinkedMeeting
) -> None:
    tenant = sandbox.tenant
    live = sandbox.teams.create(linked_meeting.online_id)
    online = tenant.meetings.get(linked_meeting.online_id)
    organiser = tenant.teams_accounts.resolve(COORDINATOR.object_id)
    conversation = tenant.conversations.meeting_chat(linked_meeting.thread_id)
    event = activities.meeting_started(tenant, conversation, live, online, organiser)  # type: ignore[arg-type]
    event["value"] = {key[:1].lower() + key[1:]: value for key, value in event["value"].items()}
    assert set(event["value"]) == {"id", "joinUrl", "title", "meetingType", "startTime"}

    delivery = await sandbox.app[BOT_CHANNEL].send(conversation, event)

    assert delivery.delivered, delivery.outcome
    assert event["name"] == MEETING_START
    assert served_bot.events.calls == [("started", linked_meeting.thread_id)]
    assert bot_posts(sandbox, linked_meeting.thread_id) == []


async def test_a_file_posted_in_the_meeting_chat(
    served_bot: ServedBot, sandbox: RunningSandbox, linked_meeting: LinkedMeeting
) -> None:
    await sandbox.teams.start(linked_meeting.online_id)
    await sandbox.teams.admit(linked_meeting.online_id, ADVISER.object_id)
    served_bot.events.calls.clear()
    served_bot.events.people.clear()

    posted = await sandbox.teams.post_file(
        linked_meeting.online_id,
        ADVISER.object_id,
        "Reading report.pdf",
        b"%PDF-1.7",
        "application/pdf",
    )

    assert posted.delivery.delivered
    assert served_bot.events.calls == [("file", linked_meeting.thread_id)]
    assert served_bot.events.files == [
        PostedFile(
            name=posted.item.name,
            content_url=posted.item.web_url,
            unique_id=posted.item.etag_guid.upper(),
            file_type="pdf",
        )
    ]
    (poster,) = served_bot.events.people
    assert (poster.object_id, poster.display_name) == (ADVISER.object_id, ADVISER.display_name)
    assert bot_posts(sandbox, linked_meeting.thread_id) == []
