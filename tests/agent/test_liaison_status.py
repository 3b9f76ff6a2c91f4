"""`status` in the meeting chat tells staff, by count only, with how many of the professionals
named they may liaise: never who is named, who agreed, or why not."""

from __future__ import annotations

import uuid
from datetime import timedelta

from bot.services.liaison import name_for_liaison
from consent_store.liaison import LiaisonRecords
from consent_store.records import NewConsentRequest, NewDecision
from consent_store.unit_of_work import Store
from domain.terms import AttendeeKind, AuthVerdict, Decision, Topic
from sandbox.seed import COORDINATOR, PARENT_CARER
from tests.agent.conftest import LinkedMeeting, ServedBot
from tests.agent.test_staff_commands import bot_texts
from tests.conftest import FakeClock
from tests.sandbox.conftest import RunningSandbox

NAMED = ("Northshire SEND team, SEND officer", "Fellside Primary, SENCO")


async def parent_agrees_to_the_first(store: Store, meeting_id: str, clock: FakeClock) -> None:
    """The parent was asked about the first organisation only, and agreed by email."""
    async with store.unit_of_work() as uow:
        records = LiaisonRecords(uow)
        first = (await records.organisations(meeting_id))[0]
        (parent,) = [
            a.id
            for a in await uow.meetings.attendees(meeting_id)
            if a.kind == AttendeeKind.PARENT_CARER.value
        ]
        request_id = await uow.meetings.add_request(
            NewConsentRequest(
                meeting_id=meeting_id,
                attendee_id=parent,
                message_id=f"<{uuid.uuid4().hex}@iass.example.com>",
                template_version="consent-request/4/adult",
                text_sha256="0" * 64,
                topics=(Topic.LIAISON,),
                documents_covered=(),
                sent_at=uow.now(),
            )
        )
        await records.cover(request_id, (first.id,))
        await uow.meetings.add_decision(
            NewDecision(
                meeting_id=meeting_id,
                attendee_id=parent,
                topic=Topic.LIAISON,
                decision=Decision.GIVEN,
                received_at=uow.now(),
                auth=AuthVerdict.PASS,
                sender_matches=True,
                decided_by="email",
                request_id=request_id,
            ),
            uow.now(),
        )
        await uow.commit()
    clock.now += timedelta(minutes=1)


async def test_status_in_the_meeting_chat_counts_liaison_and_names_no_one(
    served_bot: ServedBot,
    sandbox: RunningSandbox,
    linked_meeting: LinkedMeeting,
    store: Store,
    clock: FakeClock,
) -> None:
    meeting_id = linked_meeting.row.id
    await name_for_liaison(store, meeting_id, NAMED, actor="staff-object-id")
    await parent_agrees_to_the_first(store, meeting_id, clock)
    meeting = linked_meeting.online_id
    await sandbox.teams.start(meeting)
    await sandbox.teams.admit(meeting, PARENT_CARER.address)

    await sandbox.teams.say(meeting, COORDINATOR.object_id, "status")

    (status,) = bot_texts(sandbox, linked_meeting.thread_id)
    assert (
        "Liaison: staff may liaise with 1 of the 2 professionals or organisations named." in status
    )
    for private in (*NAMED, "Northshire", "Fellside", PARENT_CARER.display_name):
        assert private not in status


async def test_no_liaison_line_when_no_one_is_named(
    served_bot: ServedBot, sandbox: RunningSandbox, linked_meeting: LinkedMeeting
) -> None:
    meeting = linked_meeting.online_id
    await sandbox.teams.start(meeting)
    await sandbox.teams.say(meeting, COORDINATOR.object_id, "status")
    (status,) = bot_texts(sandbox, linked_meeting.thread_id)
    assert "Recording: not permitted." in status
    assert "Liaison" not in status
