"""An activity Teams sends again (or anyone replays) with the same id in the same conversation
is answered as the first copy was and not handled again, for a day; a copy whose first could
not be handled is handled; the same id in another conversation is another activity. Whether
the activity goes through the meeting inbox (a join) or is answered at once (a command)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.services.live_meeting import TeamsPerson
from consent_store.tables import SeenActivityRow
from consent_store.unit_of_work import Store
from sandbox.app_keys import BOT_CHANNEL
from sandbox.seed import ADVISER, COORDINATOR, PARENT_CARER
from sandbox.teams import activities
from sandbox.teams.activities import MEETING_START, PARTICIPANT_JOIN
from sandbox.teams.conversations import Conversation
from tests.agent.conftest import LinkedMeeting, ServedBot
from tests.agent.test_staff_commands import PersonalChat
from tests.conftest import FakeClock
from tests.sandbox.conftest import RunningSandbox


def sent_to_bot(conversation: Conversation, name: str) -> dict[str, Any]:
    """The last activity of that name (or type) the conversation sent the bot."""
    *_, last = (
        e.activity
        for e in conversation.entries
        if e.direction == "to_bot" and (e.activity.get("name") or e.activity["type"]) == name
    )
    return dict(last)


async def test_a_join_sent_again_is_answered_alike_and_handled_once(
    served_bot: ServedBot, sandbox: RunningSandbox, linked_meeting: LinkedMeeting
) -> None:
    meeting, thread = linked_meeting.online_id, linked_meeting.thread_id
    await sandbox.teams.start(meeting)
    admitted = await sandbox.teams.admit(meeting, PARENT_CARER.address)
    assert admitted.delivery.outcome == "delivered: HTTP 202"
    conversation = sandbox.tenant.conversations.meeting_chat(thread)
    join = sent_to_bot(conversation, PARTICIPANT_JOIN)

    again = await sandbox.app[BOT_CHANNEL].send(conversation, join)
    once_more = await sandbox.app[BOT_CHANNEL].send(conversation, join)

    assert again.outcome == once_more.outcome == "delivered: HTTP 202"
    assert served_bot.events.calls == [("started", thread), ("joined", thread), ("joined", thread)]
    _organiser, parent = served_bot.events.people
    assert parent.display_name == PARENT_CARER.display_name


async def test_a_command_sent_again_is_answered_once_and_its_id_elsewhere_is_new(
    served_bot: ServedBot, sandbox: RunningSandbox
) -> None:
    tenant = sandbox.tenant
    chat = PersonalChat(sandbox, COORDINATOR.object_id)
    delivered = await sandbox.teams.message_bot(COORDINATOR.object_id, "help")
    assert delivered.outcome == "delivered: HTTP 202"
    conversation = tenant.conversations.get(chat.id)
    assert conversation is not None
    sent = sent_to_bot(conversation, "message")
    adviser_chat = PersonalChat(sandbox, ADVISER.object_id)
    adviser = tenant.teams_accounts.resolve(ADVISER.object_id)
    elsewhere = tenant.conversations.personal(adviser.id)
    same_id = {**activities.message(tenant, elsewhere, adviser, "help"), "id": sent["id"]}

    again = await sandbox.app[BOT_CHANNEL].send(conversation, sent)
    in_another_chat = await sandbox.app[BOT_CHANNEL].send(elsewhere, same_id)

    assert again.outcome == in_another_chat.outcome == "delivered: HTTP 202"
    assert len(chat.answers()) == 1
    assert len(adviser_chat.answers()) == 1


async def test_after_a_day_the_same_id_is_a_new_activity(
    served_bot: ServedBot,
    sandbox: RunningSandbox,
    linked_meeting: LinkedMeeting,
    store: Store,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    meeting, thread = linked_meeting.online_id, linked_meeting.thread_id
    # The documented meeting start shape that carries an activity id.
    monkeypatch.setattr(sandbox.teams, "event_shapes", ("2021",))
    await sandbox.teams.start(meeting)
    conversation = sandbox.tenant.conversations.meeting_chat(thread)
    started = sent_to_bot(conversation, MEETING_START)

    clock.now += timedelta(days=1, minutes=11)
    again = await sandbox.app[BOT_CHANNEL].send(conversation, started)

    assert again.outcome == "delivered: HTTP 202"
    assert [call for call in served_bot.events.calls if call[0] == "started"] == [
        ("started", thread),
        ("started", thread),
    ]
    async with store.reading() as uow:
        remembered = await uow.session.scalar(select(func.count()).select_from(SeenActivityRow))
    assert remembered == 1, "only the copy of today is remembered; yesterday's are removed"


async def test_a_copy_whose_first_failed_is_handled(
    served_bot: ServedBot, sandbox: RunningSandbox, linked_meeting: LinkedMeeting
) -> None:
    meeting, thread = linked_meeting.online_id, linked_meeting.thread_id
    events = served_bot.events
    joins_taken = events.participant_joined
    failures = [ConnectionError("the store could not be reached")]

    async def failing_once(thread_id: str, person: TeamsPerson) -> None:
        if failures:
            raise failures.pop()
        await joins_taken(thread_id, person)

    events.participant_joined = failing_once  # type: ignore[method-assign]
    admitted = await sandbox.teams.start(meeting)
    assert admitted.delivery.outcome == "failed: HTTP 500"
    conversation = sandbox.tenant.conversations.meeting_chat(thread)
    join = sent_to_bot(conversation, PARTICIPANT_JOIN)

    again = await sandbox.app[BOT_CHANNEL].send(conversation, join)
    once_more = await sandbox.app[BOT_CHANNEL].send(conversation, join)

    assert again.outcome == once_more.outcome == "delivered: HTTP 202"
    assert events.calls == [("started", thread), ("joined", thread)]
