"""Moving, renaming and deleting an online meeting through the product's msgraph-sdk client, as
staff editing or cancelling a meeting do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from msgraph.generated.models.meeting_participant_info import MeetingParticipantInfo
from msgraph.generated.models.meeting_participants import MeetingParticipants
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.online_meeting import OnlineMeeting
from msgraph.graph_service_client import GraphServiceClient

from sandbox.seed import ADVISER, COORDINATOR, PARENT_CARER, SENCO
from tests.sandbox.builders import new_meeting
from tests.sandbox.conftest import RunningSandbox


async def test_a_meeting_is_moved_and_renamed_and_its_new_invitee_joins_the_chat(
    graph: GraphServiceClient, sandbox: RunningSandbox
) -> None:
    meetings = graph.users.by_user_id(COORDINATOR.object_id).online_meetings
    created = await meetings.post(new_meeting("Planning meeting"))
    assert created is not None
    assert created.id is not None
    assert created.chat_info is not None
    start = datetime(2031, 3, 5, 14, 30, tzinfo=UTC)

    patched = await meetings.by_online_meeting_id(created.id).patch(
        OnlineMeeting(
            subject="Planning meeting (moved)",
            start_date_time=start,
            end_date_time=start + timedelta(minutes=45),
            participants=MeetingParticipants(
                attendees=[
                    MeetingParticipantInfo(upn=PARENT_CARER.address),
                    MeetingParticipantInfo(upn=SENCO.address),
                ]
            ),
        )
    )

    assert patched is not None
    assert patched.subject == "Planning meeting (moved)"
    assert (patched.start_date_time, patched.end_date_time) == (
        start,
        start + timedelta(minutes=45),
    )
    assert patched.allow_recording is False
    fetched = await meetings.by_online_meeting_id(created.id).get()
    assert fetched is not None
    assert fetched.start_date_time == start
    assert fetched.participants is not None
    assert fetched.participants.attendees is not None
    assert [a.upn for a in fetched.participants.attendees] == [
        PARENT_CARER.address,
        SENCO.address,
    ]
    chat = sandbox.tenant.chats.get(created.chat_info.thread_id or "")
    assert chat is not None
    assert chat.topic == "Planning meeting (moved)"
    assert SENCO.address in {m.email for m in chat.members}


async def test_a_bad_time_is_refused_and_changes_nothing(graph: GraphServiceClient) -> None:
    meetings = graph.users.by_user_id(COORDINATOR.object_id).online_meetings
    created = await meetings.post(new_meeting("Transition review"))
    assert created is not None
    assert created.id is not None

    with pytest.raises(ODataError) as refused:
        await meetings.by_online_meeting_id(created.id).patch(
            OnlineMeeting(subject="Renamed", additional_data={"startDateTime": "next Tuesday"})
        )

    assert refused.value.response_status_code == 400
    fetched = await meetings.by_online_meeting_id(created.id).get()
    assert fetched is not None
    assert fetched.subject == "Transition review"


async def test_a_deleted_meeting_is_gone_but_its_chat_stays(
    graph: GraphServiceClient, sandbox: RunningSandbox
) -> None:
    meetings = graph.users.by_user_id(COORDINATOR.object_id).online_meetings
    created = await meetings.post(new_meeting("Cancelled review"))
    assert created is not None
    assert created.id is not None
    assert created.chat_info is not None

    await meetings.by_online_meeting_id(created.id).delete()

    with pytest.raises(ODataError) as gone:
        await meetings.by_online_meeting_id(created.id).get()
    assert gone.value.response_status_code == 404
    assert sandbox.tenant.meetings.get(created.id) is None
    assert sandbox.tenant.chats.get(created.chat_info.thread_id or "") is not None
    with pytest.raises(ODataError) as again:
        await meetings.by_online_meeting_id(created.id).delete()
    assert again.value.response_status_code == 404


async def test_only_the_organiser_deletes_a_meeting(
    graph: GraphServiceClient, sandbox: RunningSandbox
) -> None:
    meetings = graph.users.by_user_id(COORDINATOR.object_id).online_meetings
    created = await meetings.post(new_meeting("Kept review"))
    assert created is not None
    assert created.id is not None

    with pytest.raises(ODataError) as not_organiser:
        await (
            graph.users.by_user_id(ADVISER.object_id)
            .online_meetings.by_online_meeting_id(created.id)
            .delete()
        )

    assert not_organiser.value.response_status_code == 404
    assert sandbox.tenant.meetings.get(created.id) is not None
