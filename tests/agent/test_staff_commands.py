"""Staff ask the bot where a meeting stands, in its chat (without names or document titles,
since everyone there reads it) or in their personal chat (in full, for the meetings they
arranged). Anyone else who writes to the bot gets the service's contact details and nothing
about any case (in a meeting chat, their words are also passed to staff as a question);
ordinary conversation in a meeting chat gets no answer at all."""

from __future__ import annotations

from typing import Any

from bot.config import ServiceProfile
from consent_store.presence import Presence
from consent_store.unit_of_work import Store
from sandbox.app_keys import BOT_CHANNEL
from sandbox.seed import ADVISER, COORDINATOR, GUEST_PARENT, PARENT_CARER, SENCO
from sandbox.teams import activities
from tests.agent.conftest import (
    DOCUMENT_TITLE,
    QUESTION_REPLY,
    SHARE_REPLY,
    LinkedMeeting,
    ServedBot,
)
from tests.builders import reply
from tests.conftest import FakeClock
from tests.sandbox.conftest import RunningSandbox

SERVICE = ServiceProfile(_env_file=None)


def bot_texts(sandbox: RunningSandbox, conversation_id: str) -> list[str]:
    conversation = sandbox.tenant.conversations.get(conversation_id)
    assert conversation is not None
    return [str(e.activity.get("text")) for e in conversation.entries if e.direction == "from_bot"]


def personal_chat_id(sandbox: RunningSandbox, who: str) -> str:
    account = sandbox.tenant.teams_accounts.resolve(who)
    return sandbox.tenant.conversations.personal(account.id).id


class PersonalChat:
    """Someone's personal chat with the bot, read from now on (the sandbox keeps it for the
    session)."""

    def __init__(self, sandbox: RunningSandbox, who: str) -> None:
        self._sandbox = sandbox
        self.id = personal_chat_id(sandbox, who)
        self._seen = len(bot_texts(sandbox, self.id))

    def answers(self) -> list[str]:
        return bot_texts(self._sandbox, self.id)[self._seen :]


def assert_contact_details_only(text: str) -> None:
    assert SERVICE.phone in text
    assert SERVICE.email in text
    assert "contact a co-ordinator directly" in text
    assert "Recording" not in text
    assert "IASS-" not in text


async def test_status_in_the_meeting_chat_names_nobody(
    served_bot: ServedBot, sandbox: RunningSandbox, linked_meeting: LinkedMeeting
) -> None:
    meeting = linked_meeting.online_id
    await sandbox.teams.start(meeting)
    await sandbox.teams.admit(meeting, PARENT_CARER.address)

    await sandbox.teams.say(meeting, COORDINATOR.object_id, "status")
    await sandbox.teams.say(meeting, COORDINATOR.object_id, "role")
    await sandbox.teams.say(meeting, COORDINATOR.object_id, "documents")

    status, role, documents = bot_texts(sandbox, linked_meeting.thread_id)
    assert "Recording: not permitted." in status
    assert "2 people's consent to recording does not count yet." in status
    assert "Teams has not been set for this meeting yet." in status
    assert f'send "status {linked_meeting.row.reference}" to me in a personal chat' in status
    assert "Role I will state: to support." in role
    assert "1 document is listed: 0 may be shared, 1 may not." in documents
    for text in (status, role, documents):
        for private in (PARENT_CARER.display_name, SENCO.display_name, DOCUMENT_TITLE, "Sam"):
            assert private not in text


async def test_ordinary_conversation_in_the_meeting_chat_gets_no_answer(
    served_bot: ServedBot, sandbox: RunningSandbox, linked_meeting: LinkedMeeting
) -> None:
    await sandbox.teams.say(linked_meeting.online_id, COORDINATOR.object_id, "Shall we begin?")
    await sandbox.teams.say(linked_meeting.online_id, ADVISER.object_id, "Status is fine, thanks")
    assert bot_texts(sandbox, linked_meeting.thread_id) == []


async def test_share_in_the_meeting_chat_goes_to_the_document_use_case(
    served_bot: ServedBot, sandbox: RunningSandbox, linked_meeting: LinkedMeeting
) -> None:
    await sandbox.teams.say(linked_meeting.online_id, ADVISER.object_id, "share draft plan")
    assert served_bot.events.calls == [("share", linked_meeting.thread_id, "draft plan")]
    assert served_bot.events.people[0].object_id == ADVISER.object_id
    assert bot_texts(sandbox, linked_meeting.thread_id) == [SHARE_REPLY]


async def test_a_guest_asking_in_the_meeting_chat_gets_contact_details(
    served_bot: ServedBot, sandbox: RunningSandbox, linked_meeting: LinkedMeeting
) -> None:
    meeting = linked_meeting.online_id
    await sandbox.teams.start(meeting)
    await sandbox.teams.admit(meeting, GUEST_PARENT.mail)

    await sandbox.teams.say(meeting, GUEST_PARENT.object_id, "status")
    await sandbox.teams.say(meeting, GUEST_PARENT.object_id, "share draft plan")

    answers = bot_texts(sandbox, linked_meeting.thread_id)
    assert len(answers) == 2
    for answer in answers:
        assert_contact_details_only(answer)
    assert all(call[0] != "share" for call in served_bot.events.calls)


async def test_someone_anonymous_who_mentions_the_bot_is_passed_to_staff(
    served_bot: ServedBot, sandbox: RunningSandbox, linked_meeting: LinkedMeeting
) -> None:
    tenant = sandbox.tenant
    meeting = linked_meeting.online_id
    await sandbox.teams.start(meeting)
    parent = await sandbox.teams.admit(meeting, PARENT_CARER.address)
    conversation = tenant.conversations.meeting_chat(linked_meeting.thread_id)
    live = tenant.live_meetings.get(meeting)
    assert live is not None
    text = "what should I do about my son's plan?"
    message: dict[str, Any] = activities.mention_of_bot(
        tenant,
        activities.message(tenant, conversation, parent.attendance.account, text, meeting=live),
    )

    delivery = await sandbox.app[BOT_CHANNEL].send(conversation, message)

    assert delivery.delivered, delivery.outcome
    assert bot_texts(sandbox, linked_meeting.thread_id) == [QUESTION_REPLY]
    assert ("asked", linked_meeting.thread_id) in served_bot.events.calls


async def test_in_a_personal_chat_staff_see_their_meetings_and_the_details(
    served_bot: ServedBot, sandbox: RunningSandbox, linked_meeting: LinkedMeeting
) -> None:
    reference = linked_meeting.row.reference
    upn = COORDINATOR.user_principal_name
    chat = PersonalChat(sandbox, upn)
    await sandbox.teams.message_bot(upn, "status")
    await sandbox.teams.message_bot(upn, f"status {reference.lower()}")
    await sandbox.teams.message_bot(upn, f"role {reference}")
    await sandbox.teams.message_bot(upn, f"documents {reference}")
    await sandbox.teams.message_bot(upn, "what can you do?")

    listing, status, role, documents, help_text = chat.answers()
    assert f"{reference}, " in listing
    assert "Planning meeting for Sam" in listing
    assert f'"status {reference}"' in listing
    assert "Recording: not permitted." in status
    not_replied = f"{PARENT_CARER.display_name} has not replied to the request for consent to"
    assert f"{not_replied} recording the meeting." in status
    assert f"{SENCO.display_name} has not replied" in status
    assert 'You declared "to support and to contribute to discussions"' in role
    assert f"{not_replied} staff contributing to discussions." in role
    assert f"{DOCUMENT_TITLE}: may not be shared." in documents
    assert "status - whether the meeting may be recorded" in help_text


async def test_the_organiser_in_the_meeting_does_not_stop_recording_that_everyone_agreed_to(
    served_bot: ServedBot,
    sandbox: RunningSandbox,
    linked_meeting: LinkedMeeting,
    store: Store,
    clock: FakeClock,
) -> None:
    meeting_id = linked_meeting.row.id
    async with store.reading() as uow:
        parent, senco = await uow.meetings.attendees(meeting_id)
    for attendee, address in ((parent, PARENT_CARER.address), (senco, SENCO.address)):
        await reply(store, meeting_id, attendee.id, address, received_at=clock.now)
    async with store.unit_of_work() as uow:
        in_meeting = (
            Presence(f"oid:{COORDINATOR.object_id}", None, is_staff=True),
            Presence("id:29:parent", parent.id),
            Presence("id:29:senco", senco.id),
        )
        for person in in_meeting:
            await uow.presence.joined(meeting_id, person, clock.now)
        await uow.commit()
    upn = COORDINATOR.user_principal_name
    chat = PersonalChat(sandbox, upn)

    await sandbox.teams.message_bot(upn, f"status {linked_meeting.row.reference}")

    (status,) = chat.answers()
    assert "Recording: permitted: every attendee agreed by email before the start." in status
    assert "not on the attendee list" not in status


async def test_staff_hear_only_about_meetings_they_arranged(
    served_bot: ServedBot, sandbox: RunningSandbox, linked_meeting: LinkedMeeting
) -> None:
    reference = linked_meeting.row.reference
    chat = PersonalChat(sandbox, ADVISER.user_principal_name)
    await sandbox.teams.message_bot(ADVISER.user_principal_name, f"status {reference}")
    (answer,) = chat.answers()
    assert f"I have no meeting of yours with the reference {reference}." in answer
    assert PARENT_CARER.display_name not in answer


async def test_a_guest_writing_to_the_bot_gets_contact_details(
    served_bot: ServedBot, sandbox: RunningSandbox, linked_meeting: LinkedMeeting
) -> None:
    reference = linked_meeting.row.reference
    chat = PersonalChat(sandbox, GUEST_PARENT.mail)
    await sandbox.teams.message_bot(GUEST_PARENT.mail, f"status {reference}")
    await sandbox.teams.message_bot(GUEST_PARENT.mail, "Can the school refuse an assessment?")
    answers = chat.answers()
    assert len(answers) == 2
    for answer in answers:
        assert_contact_details_only(answer)
