"""Teams meetings through Graph: find the online meeting behind a calendar event by its join
URL, lock its settings down (recording, transcription and automatic recording off, a lobby
for everyone but the organiser, the organiser the only presenter) and read them back, keep
its recording setting in line with the gate, and install the bot into its chat. The calendar
event itself (made, moved and cancelled through Exchange) is `bot.graph.events`; meetings
stored before there were events are still moved (`update`) and cancelled (`delete`) here.

Application permission OnlineMeetings.ReadWrite.All with an application access policy for
the organisers; `organiser_id` is always the organiser's directory object id.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Final
from urllib.parse import unquote, urlsplit

from bot.graph.answers import answer_json
from bot.graph.errors import GRAPH_ERRORS
from bot.graph.events import CalendarEvents
from bot.graph.fail_fast import fail_fast
from bot.ports.meetings import CallStartUnknown, MeetingSettings, TeamsMeeting
from bot.teams.permissions import RSC_PERMISSIONS

if TYPE_CHECKING:
    from msgraph.generated.models.online_meeting import OnlineMeeting
    from msgraph.graph_service_client import GraphServiceClient


SETTINGS_READ: Final = (
    "allowRecording",
    "allowTranscription",
    "recordAutomatically",
    "lobbyBypassSettings",
    "allowedPresenters",
)
"""The onlineMeeting's properties a read-back asks for (`$select`): those `settings` reads."""


def _flag(meeting: dict[str, object], name: str) -> bool | None:
    """A boolean property of an onlineMeeting's JSON; None when it is absent or not a
    boolean."""
    value = meeting.get(name)
    return value if isinstance(value, bool) else None


CHAT_PAGE = 50
CHAT_PAGES = 10
"""At most this many pages of a meeting chat are read for the call's start."""


class ChatHistoryTooLong(CallStartUnknown):
    """The meeting chat holds more messages than are read for the call's start."""


class ChatPageUnreadable(CallStartUnknown):
    """A page of the meeting chat that msgraph-sdk cannot read (a value it cannot parse)."""


def thread_of_join_url(join_url: str) -> str | None:
    """The meeting chat's thread id a Teams join URL carries (`19:meeting_...@thread.v2`)."""
    parts = urlsplit(join_url).path.split("/")
    if len(parts) < 4 or parts[1:3] != ["l", "meetup-join"]:
        return None
    thread = unquote(parts[3])
    return thread if thread.startswith("19:") else None


class OnlineMeetings:
    def __init__(self, graph: GraphServiceClient, catalog_app_id: str, graph_base_url: str) -> None:
        self._graph = graph
        self._catalog_app_id = catalog_app_id
        self._graph_base_url = graph_base_url.rstrip("/")
        self.events = CalendarEvents(graph)

    async def find_by_join_url(self, organiser_id: str, join_url: str) -> TeamsMeeting | None:
        """The organiser's online meeting with this join URL (`GET /users/{organiser}/
        onlineMeetings?$filter=JoinWebUrl eq '...'`), or None if Graph finds none. Microsoft's
        example answer carries no `chatInfo`, so the chat's thread id is then read from the
        join URL (`/l/meetup-join/{thread id}/...`); where there is a `chatInfo`, its thread id
        is decoded, as Microsoft's examples write it both plainly and percent-encoded (Create
        onlineMeeting, examples 1 and 2)."""
        from msgraph.generated.users.item.online_meetings.online_meetings_request_builder import (
            OnlineMeetingsRequestBuilder as Builder,
        )

        quoted = join_url.replace("'", "''")
        config = Builder.OnlineMeetingsRequestBuilderGetRequestConfiguration(
            query_parameters=Builder.OnlineMeetingsRequestBuilderGetQueryParameters(
                filter=f"JoinWebUrl eq '{quoted}'"
            )
        )
        found = await self._graph.users.by_user_id(organiser_id).online_meetings.get(
            request_configuration=config
        )
        listed = (found.value if found is not None else None) or []
        for meeting in listed:
            url = meeting.join_web_url or join_url
            given = meeting.chat_info.thread_id if meeting.chat_info else None
            thread = unquote(given) if given else thread_of_join_url(url)
            if meeting.id and thread:
                return TeamsMeeting(meeting.id, url, thread)
        return None

    async def lock_down(self, organiser_id: str, meeting_id: str) -> None:
        """PATCH recording, transcription and automatic recording off, the lobby for everyone
        but the organiser and the organiser the only presenter. Confirm with `settings`."""
        from msgraph.generated.models.lobby_bypass_scope import LobbyBypassScope
        from msgraph.generated.models.lobby_bypass_settings import LobbyBypassSettings
        from msgraph.generated.models.online_meeting import OnlineMeeting
        from msgraph.generated.models.online_meeting_presenters import OnlineMeetingPresenters

        await self._patch(
            organiser_id,
            meeting_id,
            OnlineMeeting(
                allow_recording=False,
                allow_transcription=False,
                record_automatically=False,
                allowed_presenters=OnlineMeetingPresenters.Organizer,
                lobby_bypass_settings=LobbyBypassSettings(scope=LobbyBypassScope.Organizer),
            ),
        )

    async def restore_lobby(self, organiser_id: str, meeting_id: str) -> None:
        """PATCH only the lobby (everyone but the organiser waits) and the presenters (the
        organiser alone), leaving recording as it is. Confirm with `settings`."""
        from msgraph.generated.models.lobby_bypass_scope import LobbyBypassScope
        from msgraph.generated.models.lobby_bypass_settings import LobbyBypassSettings
        from msgraph.generated.models.online_meeting import OnlineMeeting
        from msgraph.generated.models.online_meeting_presenters import OnlineMeetingPresenters

        await self._patch(
            organiser_id,
            meeting_id,
            OnlineMeeting(
                allowed_presenters=OnlineMeetingPresenters.Organizer,
                lobby_bypass_settings=LobbyBypassSettings(scope=LobbyBypassScope.Organizer),
            ),
        )

    async def settings(self, organiser_id: str, meeting_id: str) -> MeetingSettings:
        """The meeting's settings as Graph reads them now. Every change is read back, so the
        read is kept cheap: only the properties read are asked for (`SETTINGS_READ`, as
        `$select`), and the answer's JSON is read directly, as `_patch` skips its answer,
        because msgraph-sdk turning it into a model (Entity's field table runs about a
        thousand imports each time) was a seventh of the bot's CPU under a burst of rosters.
        Should Graph ignore `$select`, the same properties are read from the whole meeting;
        one missing or of another type reads as unknown, so nothing is taken as confirmed
        that Graph did not say. Graph's error answers still raise `ODataError`."""
        from kiota_abstractions.base_request_configuration import RequestConfiguration
        from msgraph.generated.models.lobby_bypass_scope import LobbyBypassScope
        from msgraph.generated.models.online_meeting_presenters import OnlineMeetingPresenters
        from msgraph.generated.users.item.online_meetings.item.online_meeting_item_request_builder import (  # noqa: E501
            OnlineMeetingItemRequestBuilder as Builder,
        )

        request = (
            self._graph.users.by_user_id(organiser_id)
            .online_meetings.by_online_meeting_id(meeting_id)
            .to_get_request_information(
                RequestConfiguration(
                    query_parameters=Builder.OnlineMeetingItemRequestBuilderGetQueryParameters(
                        select=list(SETTINGS_READ)
                    ),
                    options=fail_fast(),
                )
            )
        )
        meeting = await answer_json(self._graph, request)
        if not isinstance(meeting, dict):
            return MeetingSettings(None, None, None, False, False)
        lobby = meeting.get("lobbyBypassSettings")
        scope = lobby.get("scope") if isinstance(lobby, dict) else None
        return MeetingSettings(
            allow_recording=_flag(meeting, "allowRecording"),
            allow_transcription=_flag(meeting, "allowTranscription"),
            record_automatically=_flag(meeting, "recordAutomatically"),
            lobby_organiser_only=scope == LobbyBypassScope.Organizer.value,
            organiser_presents_alone=meeting.get("allowedPresenters")
            == OnlineMeetingPresenters.Organizer.value,
        )

    async def set_recording(self, organiser_id: str, meeting_id: str, allowed: bool) -> None:
        """Allow or forbid recording and transcription (automatic recording always off);
        applies to a meeting already running."""
        from msgraph.generated.models.online_meeting import OnlineMeeting

        await self._patch(
            organiser_id,
            meeting_id,
            OnlineMeeting(
                allow_recording=allowed, allow_transcription=allowed, record_automatically=False
            ),
        )

    async def _patch(self, organiser_id: str, meeting_id: str, changes: OnlineMeeting) -> None:
        """PATCH the meeting without reading the answer's body (the whole meeting): every
        change is confirmed by reading the settings back, turning the body into a model costs
        milliseconds of CPU (switching recording off must be fast), and an answer the SDK
        cannot parse (Microsoft's own Update example writes placeholder times) must not fail a
        change Graph has made. Graph's error answers still raise `ODataError`."""
        request = (
            self._graph.users.by_user_id(organiser_id)
            .online_meetings.by_online_meeting_id(meeting_id)
            .to_patch_request_information(changes)
        )
        request.add_request_options(fail_fast())
        await self._graph.request_adapter.send_no_response_content_async(request, GRAPH_ERRORS)

    async def call_started(self, chat_thread_id: str) -> datetime | None:
        """When the meeting's call started, as Teams records it in the meeting chat (a
        `callStartedEventMessageDetail` system message; the earliest on the newest page that
        has one), or None if it has not. Read through the app's RSC permission
        `ChatMessage.Read.Chat`, newest first, with `Prefer: include-unknown-enum-members`
        (without it Graph calls a system message `unknownFutureValue`, so the message is
        known by its `eventDetail` alone). `ChatHistoryTooLong` when no start is found in the
        pages read and there are more, `ChatPageUnreadable` when a page cannot be parsed, so
        that "not started" is never a guess."""
        from kiota_abstractions.headers_collection import HeadersCollection
        from msgraph.generated.chats.item.messages.messages_request_builder import (
            MessagesRequestBuilder,
        )
        from msgraph.generated.models.call_started_event_message_detail import (
            CallStartedEventMessageDetail,
        )

        messages = self._graph.chats.by_chat_id(chat_thread_id).messages
        prefer = HeadersCollection()
        prefer.add("Prefer", "include-unknown-enum-members")
        config = MessagesRequestBuilder.MessagesRequestBuilderGetRequestConfiguration(
            headers=prefer,
            options=fail_fast(),
            query_parameters=MessagesRequestBuilder.MessagesRequestBuilderGetQueryParameters(
                top=CHAT_PAGE, orderby=["createdDateTime desc"]
            ),
        )
        next_config = MessagesRequestBuilder.MessagesRequestBuilderGetRequestConfiguration(
            headers=prefer, options=fail_fast()
        )
        try:
            page = await messages.get(request_configuration=config)
            starts: list[datetime] = []
            for _ in range(CHAT_PAGES):
                if page is None:
                    break
                started = [
                    m.created_date_time
                    for m in page.value or []
                    if isinstance(m.event_detail, CallStartedEventMessageDetail)
                ]
                if None in started:
                    raise ChatPageUnreadable(chat_thread_id)
                starts += [at for at in started if at is not None]
                if starts or not page.odata_next_link:
                    return min(starts, default=None)
                page = await messages.with_url(page.odata_next_link).get(
                    request_configuration=next_config
                )
        except ValueError as unparsable:
            raise ChatPageUnreadable(chat_thread_id) from unparsable
        raise ChatHistoryTooLong(chat_thread_id)

    async def update(
        self,
        organiser_id: str,
        meeting_id: str,
        *,
        subject: str | None = None,
        starts_at: datetime | None = None,
        ends_at: datetime | None = None,
        attendee_addresses: tuple[str, ...] | None = None,
        forbid_recording: bool = False,
    ) -> None:
        """For a meeting stored without a calendar event: change what is given (and nothing
        else) in one PATCH: the subject, the times, the invitees; with `forbid_recording`,
        also switch recording and transcription off."""
        from msgraph.generated.models.meeting_participant_info import MeetingParticipantInfo
        from msgraph.generated.models.meeting_participants import MeetingParticipants
        from msgraph.generated.models.online_meeting import OnlineMeeting

        await self._patch(
            organiser_id,
            meeting_id,
            OnlineMeeting(
                subject=subject,
                start_date_time=starts_at,
                end_date_time=ends_at,
                participants=(
                    None
                    if attendee_addresses is None
                    else MeetingParticipants(
                        attendees=[MeetingParticipantInfo(upn=a) for a in attendee_addresses]
                    )
                ),
                allow_recording=False if forbid_recording else None,
                allow_transcription=False if forbid_recording else None,
            ),
        )

    async def delete(self, organiser_id: str, meeting_id: str) -> None:
        """Remove a meeting stored without a calendar event from Teams (it is cancelled)."""
        await (
            self._graph.users.by_user_id(organiser_id)
            .online_meetings.by_online_meeting_id(meeting_id)
            .delete()
        )

    async def install_bot(self, chat_thread_id: str) -> None:
        """Install the app into the meeting chat, consenting to its RSC permissions."""
        from msgraph.generated.models.teams_app_installation import TeamsAppInstallation
        from msgraph.generated.models.teams_app_permission_set import TeamsAppPermissionSet
        from msgraph.generated.models.teams_app_resource_specific_permission import (
            TeamsAppResourceSpecificPermission,
        )
        from msgraph.generated.models.teams_app_resource_specific_permission_type import (
            TeamsAppResourceSpecificPermissionType,
        )

        await self._graph.chats.by_chat_id(chat_thread_id).installed_apps.post(
            TeamsAppInstallation(
                additional_data={
                    "teamsApp@odata.bind": (
                        f"{self._graph_base_url}/appCatalogs/teamsApps/{self._catalog_app_id}"
                    )
                },
                consented_permission_set=TeamsAppPermissionSet(
                    resource_specific_permissions=[
                        TeamsAppResourceSpecificPermission(
                            permission_value=permission,
                            permission_type=TeamsAppResourceSpecificPermissionType.Application,
                        )
                        for permission in RSC_PERMISSIONS
                    ]
                ),
            )
        )
