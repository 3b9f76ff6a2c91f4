"""Objections to recording reach the use case from the meeting chat, as Teams delivers them:
an @mention of the bot with "stop recording" (anyone, staff too), or the opening card's button
(an Action.Submit, delivered as a message whose `value` is the button's data). Words without
the @mention are ordinary conversation; other words from staff get the help text."""

from __future__ import annotations

from typing import Any

from sandbox.app_keys import BOT_CHANNEL
from sandbox.seed import COORDINATOR, PARENT_CARER
from sandbox.teams import activities
from sandbox.teams.accounts import TeamsAccount
from tests.agent.conftest import OBJECTION_REPLY, LinkedMeeting, ServedBot
from tests.agent.test_staff_commands import bot_texts
from tests.sandbox.conftest import RunningSandbox

OBJECT_DATA = {"action": "object_to_recording"}


async def _send(
    sandbox: RunningSandbox, linked_meeting: LinkedMeeting, activity: dict[str, Any]
) -> None:
    conversation = sandbox.tenant.conversations.meeting_chat(linked_meeting.thread_id)
    delivery = await sandbox.app[BOT_CHANNEL].send(conversation, activity)
    assert delivery.delivered, delivery.outcome


async def _in_meeting(
    sandbox: RunningSandbox, linked_meeting: LinkedMeeting, who: str
) -> TeamsAccount:
    meeting = linked_meeting.online_id
    await sandbox.teams.start(meeting)
    if who == COORDINATOR.object_id:
        return sandbox.tenant.teams_accounts.resolve(who)
    return (await sandbox.teams.admit(meeting, who)).attendance.account


def _message(
    sandbox: RunningSandbox, linked_meeting: LinkedMeeting, sender: TeamsAccount, text: str
) -> dict[str, Any]:
    tenant = sandbox.tenant
    conversation = tenant.conversations.meeting_chat(linked_meeting.thread_id)
    live = tenant.live_meetings.get(linked_meeting.online_id)
    return activities.message(tenant, conversation, sender, text, meeting=live)


async def test_a_parent_writing_stop_recording_to_the_bot_objects(
    served_bot: ServedBot, sandbox: RunningSandbox, linked_meeting: LinkedMeeting
) -> None:
    parent = await _in_meeting(sandbox, linked_meeting, PARENT_CARER.address)
    message = _message(sandbox, linked_meeting, parent, "Please stop recording.")

    await _send(sandbox, linked_meeting, activities.mention_of_bot(sandbox.tenant, message))

    assert served_bot.events.calls[-1] == ("objected", linked_meeting.thread_id, "chat")
    assert served_bot.events.people[-1].display_name == parent.name
    assert bot_texts(sandbox, linked_meeting.thread_id) == [OBJECTION_REPLY]


async def test_staff_can_object_too(
    served_bot: ServedBot, sandbox: RunningSandbox, linked_meeting: LinkedMeeting
) -> None:
    staff = await _in_meeting(sandbox, linked_meeting, COORDINATOR.object_id)
    message = _message(sandbox, linked_meeting, staff, "I don't agree to recording")

    await _send(sandbox, linked_meeting, activities.mention_of_bot(sandbox.tenant, message))

    assert served_bot.events.calls[-1] == ("objected", linked_meeting.thread_id, "chat")
    assert served_bot.events.people[-1].object_id == COORDINATOR.object_id


async def test_the_opening_cards_button_objects(
    served_bot: ServedBot, sandbox: RunningSandbox, linked_meeting: LinkedMeeting
) -> None:
    parent = await _in_meeting(sandbox, linked_meeting, PARENT_CARER.address)
    tenant = sandbox.tenant
    conversation = tenant.conversations.meeting_chat(linked_meeting.thread_id)
    live = tenant.live_meetings.get(linked_meeting.online_id)
    pressed = activities.card_action(
        tenant, conversation, parent, OBJECT_DATA, "1700000000000", meeting=live
    )

    await _send(sandbox, linked_meeting, pressed)

    assert served_bot.events.calls[-1] == ("objected", linked_meeting.thread_id, "card")
    assert bot_texts(sandbox, linked_meeting.thread_id) == [OBJECTION_REPLY]


async def test_the_button_delivered_as_an_invoke_objects_and_is_answered(
    served_bot: ServedBot, sandbox: RunningSandbox, linked_meeting: LinkedMeeting
) -> None:
    parent = await _in_meeting(sandbox, linked_meeting, PARENT_CARER.address)
    tenant = sandbox.tenant
    conversation = tenant.conversations.meeting_chat(linked_meeting.thread_id)
    live = tenant.live_meetings.get(linked_meeting.online_id)
    pressed = activities.card_action_invoke(
        tenant, conversation, parent, OBJECT_DATA, "1700000000000", meeting=live
    )

    delivery = await sandbox.app[BOT_CHANNEL].send(conversation, pressed)

    assert delivery.delivered, delivery.outcome
    assert served_bot.events.calls[-1] == ("objected", linked_meeting.thread_id, "card")
    assert bot_texts(sandbox, linked_meeting.thread_id) == [OBJECTION_REPLY]


async def test_another_buttons_invoke_is_refused_and_not_an_objection(
    served_bot: ServedBot, sandbox: RunningSandbox, linked_meeting: LinkedMeeting
) -> None:
    parent = await _in_meeting(sandbox, linked_meeting, PARENT_CARER.address)
    tenant = sandbox.tenant
    conversation = tenant.conversations.meeting_chat(linked_meeting.thread_id)
    live = tenant.live_meetings.get(linked_meeting.online_id)
    pressed = activities.card_action_invoke(
        tenant, conversation, parent, {"action": "other"}, "17", meeting=live
    )

    await sandbox.app[BOT_CHANNEL].send(conversation, pressed)

    assert all(call[0] != "objected" for call in served_bot.events.calls)
    assert bot_texts(sandbox, linked_meeting.thread_id) == []


async def test_another_buttons_value_is_not_an_objection(
    served_bot: ServedBot, sandbox: RunningSandbox, linked_meeting: LinkedMeeting
) -> None:
    parent = await _in_meeting(sandbox, linked_meeting, PARENT_CARER.address)
    tenant = sandbox.tenant
    conversation = tenant.conversations.meeting_chat(linked_meeting.thread_id)
    live = tenant.live_meetings.get(linked_meeting.online_id)
    pressed = activities.card_action(
        tenant, conversation, parent, {"action": "something"}, "17", meeting=live
    )

    await _send(sandbox, linked_meeting, pressed)

    assert all(call[0] != "objected" for call in served_bot.events.calls)


async def test_words_without_the_mention_are_ordinary_conversation(
    served_bot: ServedBot, sandbox: RunningSandbox, linked_meeting: LinkedMeeting
) -> None:
    parent = await _in_meeting(sandbox, linked_meeting, PARENT_CARER.address)

    await _send(
        sandbox, linked_meeting, _message(sandbox, linked_meeting, parent, "stop recording")
    )

    assert all(call[0] not in {"objected", "asked"} for call in served_bot.events.calls)
    assert bot_texts(sandbox, linked_meeting.thread_id) == []


async def test_staff_mentioning_the_bot_with_other_words_get_help_not_a_question(
    served_bot: ServedBot, sandbox: RunningSandbox, linked_meeting: LinkedMeeting
) -> None:
    staff = await _in_meeting(sandbox, linked_meeting, COORDINATOR.object_id)
    message = _message(sandbox, linked_meeting, staff, "what can you do?")

    await _send(sandbox, linked_meeting, activities.mention_of_bot(sandbox.tenant, message))

    assert all(call[0] not in {"objected", "asked"} for call in served_bot.events.calls)
    (answer,) = bot_texts(sandbox, linked_meeting.thread_id)
    assert "status" in answer
