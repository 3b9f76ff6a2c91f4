"""The bot says things in a meeting's chat unprompted (text, or a card), and notifies staff in
the meeting privately: Entra object ids are turned into the participants' `29:` ids, and
people not in the meeting are left out."""

from __future__ import annotations

from bot.announcement.card import card_of, paragraph
from sandbox.seed import ADVISER, COORDINATOR, SECOND_ADVISER
from tests.agent.conftest import LinkedMeeting, ServedBot
from tests.sandbox.conftest import RunningSandbox


async def test_posts_appear_in_the_meeting_chat(
    served_bot: ServedBot, sandbox: RunningSandbox, linked_meeting: LinkedMeeting
) -> None:
    card = card_of(paragraph("Priya is here to support.")).content

    await served_bot.chat.post(linked_meeting.thread_id, "Recording stays off.")
    await served_bot.chat.post(linked_meeting.thread_id, "Role", card)

    conversation = sandbox.tenant.conversations.get(linked_meeting.thread_id)
    assert conversation is not None
    posted = [e.activity for e in conversation.entries if e.direction == "from_bot"]
    assert [a.get("text") for a in posted] == ["Recording stays off.", "Role"]
    assert posted[1]["attachments"] == [
        {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
    ]


async def test_a_private_notification_reaches_only_staff_in_the_meeting(
    served_bot: ServedBot, sandbox: RunningSandbox, linked_meeting: LinkedMeeting
) -> None:
    meeting = linked_meeting.online_id
    organiser = await sandbox.teams.start(meeting)
    adviser = await sandbox.teams.admit(meeting, ADVISER.object_id)
    await sandbox.teams.leave(meeting, adviser.attendance.account.id)

    await served_bot.chat.notify_privately(
        linked_meeting.thread_id,
        [COORDINATOR.object_id, ADVISER.object_id, SECOND_ADVISER.object_id],
        "Contribution was not agreed beforehand: state support only.",
    )

    live = sandbox.tenant.live_meetings.get(meeting)
    assert live is not None
    (notification,) = live.notifications
    assert notification["recipients"] == [organiser.attendance.account.id]
    (surface,) = notification["surfaces"]
    assert surface["content"]["value"]["title"] == (
        "Contribution was not agreed beforehand: state support only."
    )
    assert surface["content"]["value"]["url"] == f"{served_bot.base_url}/tab"


async def test_nobody_to_notify_sends_nothing(
    served_bot: ServedBot, sandbox: RunningSandbox, linked_meeting: LinkedMeeting
) -> None:
    await sandbox.teams.start(linked_meeting.online_id)
    await served_bot.chat.notify_privately(linked_meeting.thread_id, [ADVISER.object_id], "Hi")
    live = sandbox.tenant.live_meetings.get(linked_meeting.online_id)
    assert live is not None
    assert live.notifications == []
