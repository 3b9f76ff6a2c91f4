"""Online meetings and app installation through the product's msgraph-sdk client."""

from __future__ import annotations

import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.chats.item.installed_apps.installed_apps_request_builder import (
    InstalledAppsRequestBuilder,
)
from msgraph.generated.models.lobby_bypass_scope import LobbyBypassScope
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.online_meeting import OnlineMeeting
from msgraph.generated.users.item.online_meetings.item.online_meeting_item_request_builder import (
    OnlineMeetingItemRequestBuilder,
)
from msgraph.graph_service_client import GraphServiceClient

from bot.graph.meetings import OnlineMeetings
from sandbox.seed import (
    ADVISER,
    BOT_CATALOG_APP_ID,
    BOT_CLIENT_ID,
    BOT_RSC_PERMISSIONS,
    CONSENT_MAILBOX,
    COORDINATOR,
    PARENT_CARER,
)
from tests.sandbox.builders import installation, new_meeting
from tests.sandbox.conftest import RunningSandbox


async def test_a_meeting_is_created_read_and_its_recording_switched(
    graph: GraphServiceClient, sandbox: RunningSandbox
) -> None:
    meetings = graph.users.by_user_id(COORDINATOR.object_id).online_meetings
    created = await meetings.post(new_meeting("Annual review"))
    assert created is not None
    assert created.id is not None
    assert created.chat_info is not None
    assert created.chat_info.message_id == "0"
    assert created.chat_info.thread_id is not None
    assert created.chat_info.thread_id.startswith("19:meeting_")
    assert created.chat_info.thread_id.endswith("@thread.v2")
    assert created.join_web_url is not None
    assert created.join_web_url.startswith(
        "https://teams.microsoft.com/l/meetup-join/19%3ameeting_"
    )
    assert created.allow_recording is False
    assert created.lobby_bypass_settings is not None
    assert created.lobby_bypass_settings.scope == LobbyBypassScope.Organizer

    fetched = await meetings.by_online_meeting_id(created.id).get()
    assert fetched is not None
    assert fetched.subject == "Annual review"
    assert fetched.participants is not None
    assert fetched.participants.attendees is not None
    assert [a.upn for a in fetched.participants.attendees] == [
        PARENT_CARER.address,
        ADVISER.user_principal_name,
    ]

    patched = await meetings.by_online_meeting_id(created.id).patch(
        OnlineMeeting(allow_recording=True)
    )
    assert patched is not None
    assert patched.allow_recording is True
    stored = sandbox.tenant.meetings.get(created.id)
    assert stored is not None
    assert stored.allow_recording is True
    chat = sandbox.tenant.chats.get(created.chat_info.thread_id)
    assert chat is not None
    assert {m.email for m in chat.members} == {
        COORDINATOR.mail,
        ADVISER.mail,
        PARENT_CARER.address,
    }


async def test_a_meeting_is_only_found_under_its_organiser(graph: GraphServiceClient) -> None:
    created = await graph.users.by_user_id(COORDINATOR.object_id).online_meetings.post(
        new_meeting("Transition planning")
    )
    assert created is not None
    assert created.id is not None

    with pytest.raises(ODataError) as no_policy:
        await (
            graph.users.by_user_id(CONSENT_MAILBOX.object_id)
            .online_meetings.by_online_meeting_id(created.id)
            .get()
        )
    assert no_policy.value.response_status_code == 403
    assert no_policy.value.error is not None
    assert no_policy.value.error.message == "No application access policy found for this app."

    with pytest.raises(ODataError) as not_organiser:
        await (
            graph.users.by_user_id(ADVISER.object_id)
            .online_meetings.by_online_meeting_id(created.id)
            .get()
        )
    assert not_organiser.value.response_status_code == 404


async def test_the_bot_is_installed_into_the_meeting_chat_with_rsc_consent(
    graph: GraphServiceClient,
) -> None:
    created = await graph.users.by_user_id(COORDINATOR.object_id).online_meetings.post(
        new_meeting("Install the companion")
    )
    assert created is not None
    assert created.chat_info is not None
    assert created.chat_info.thread_id is not None
    installed_apps = graph.chats.by_chat_id(created.chat_info.thread_id).installed_apps
    rsc = [p.value for p in BOT_RSC_PERMISSIONS]

    with pytest.raises(ODataError) as without_consent:
        await installed_apps.post(installation(rsc[:1]))
    assert without_consent.value.response_status_code == 400

    await installed_apps.post(installation(rsc))
    config = RequestConfiguration(
        query_parameters=InstalledAppsRequestBuilder.InstalledAppsRequestBuilderGetQueryParameters(
            expand=["teamsApp"], filter=f"teamsApp/externalId eq '{BOT_CLIENT_ID}'"
        )
    )
    listed = await installed_apps.get(request_configuration=config)
    assert listed is not None
    assert listed.value is not None
    assert len(listed.value) == 1
    assert listed.value[0].teams_app is not None
    assert listed.value[0].teams_app.id == BOT_CATALOG_APP_ID

    with pytest.raises(ODataError) as again:
        await installed_apps.post(installation(rsc))
    assert again.value.response_status_code == 409


async def test_a_meeting_read_with_select_carries_only_the_properties_named(
    graph: GraphServiceClient, sandbox: RunningSandbox
) -> None:
    """The bot reads every change of the setting back with `$select` (`SETTINGS_READ`): the
    answer holds those properties and nothing else, and the product's read sees the meeting's
    settings as they are; a property onlineMeeting does not have is refused."""
    meetings = graph.users.by_user_id(COORDINATOR.object_id).online_meetings
    created = await meetings.post(new_meeting("Annual review"))
    assert created is not None
    assert created.id is not None
    item = meetings.by_online_meeting_id(created.id)
    query = OnlineMeetingItemRequestBuilder.OnlineMeetingItemRequestBuilderGetQueryParameters

    fetched = await item.get(
        RequestConfiguration(query_parameters=query(select=["allowRecording"]))
    )
    assert fetched is not None
    assert fetched.allow_recording is False
    assert (fetched.id, fetched.subject, fetched.participants, fetched.chat_info) == (
        None,
        None,
        None,
        None,
    )

    product = OnlineMeetings(graph, BOT_CATALOG_APP_ID, sandbox.graph_base_url)
    await product.set_recording(COORDINATOR.object_id, created.id, True)
    settings = await product.settings(COORDINATOR.object_id, created.id)
    assert (settings.allow_recording, settings.allow_transcription) == (True, True)
    assert settings.record_automatically is False
    assert settings.lobby_organiser_only

    with pytest.raises(ODataError) as refused:
        await item.get(RequestConfiguration(query_parameters=query(select=["age"])))
    assert refused.value.response_status_code == 400
