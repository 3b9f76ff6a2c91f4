"""`MeetingChat` over the Agents SDK: posting to a meeting's chat unprompted (the adapter's
proactive `continue_conversation`), and targeted in-meeting notifications to staff (the Teams
API's meeting participant look-up, to turn each Entra object id into the participant's `29:`
id, then its send-notification call; Teams refuses object ids as recipients)."""

from __future__ import annotations

import base64
import logging
from collections.abc import Sequence
from typing import Any

import httpx
from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    Attachment,
    ChannelAccount,
    ChannelId,
    ConversationAccount,
)
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import Connections, TurnContext
from microsoft_teams.api import ApiClient
from microsoft_teams.api.models.meetings.meeting_notification import (
    MeetingNotificationParams,
    MeetingNotificationSurface,
    MeetingNotificationValue,
)
from microsoft_teams.common import ClientOptions

from bot.agent.service_urls import ServiceUrls
from bot.announcement.card import ADAPTIVE_CARD_CONTENT_TYPE

log = logging.getLogger(__name__)

BOT_FRAMEWORK_RESOURCE = "https://api.botframework.com"
BOT_FRAMEWORK_SCOPE = "https://api.botframework.com/.default"
NOT_FOUND = 404
NOTIFICATION_TITLE_LIMIT = 256


def teams_meeting_id(thread_id: str) -> str:
    """The id Teams gives a meeting in bot APIs: base64 of `0#<thread id>#0`."""
    return base64.b64encode(f"0#{thread_id}#0".encode()).decode("ascii")


class TeamsMeetingChat:
    """Saying things in meeting chats as the bot `bot_app_id` of tenant `tenant_id`.
    `page_url` is where a targeted notification sends staff for the details."""

    def __init__(
        self,
        adapter: CloudAdapter,
        connections: Connections,
        service_urls: ServiceUrls,
        *,
        bot_app_id: str,
        tenant_id: str,
        page_url: str,
    ) -> None:
        self._adapter = adapter
        self._connections = connections
        self._service_urls = service_urls
        self._bot_app_id = bot_app_id
        self._tenant_id = tenant_id
        self._page_url = page_url
        self._api_clients: dict[str, ApiClient] = {}

    def _api(self, service_url: str) -> ApiClient:
        """One Teams API client per service URL, kept for the bot's life (each new one costs
        a TLS context)."""
        client = self._api_clients.get(service_url)
        if client is None:
            client = ApiClient(service_url, ClientOptions(token=self._token))
            self._api_clients[service_url] = client
        return client

    async def close(self) -> None:
        """Close the Teams API clients."""
        clients, self._api_clients = list(self._api_clients.values()), {}
        for client in clients:
            await client.http.http.aclose()

    async def post(self, thread_id: str, text: str, card: dict[str, Any] | None = None) -> None:
        message = Activity(type=ActivityTypes.message, text=text, text_format="plain")
        if card is not None:
            message.attachments = [
                Attachment(content_type=ADAPTIVE_CARD_CONTENT_TYPE, content=card)
            ]
        continuation = Activity(
            type=ActivityTypes.event,
            name="ContinueConversation",
            channel_id=ChannelId("msteams"),
            service_url=await self._service_urls.of(thread_id),
            conversation=ConversationAccount(
                id=thread_id,
                conversation_type="groupChat",
                is_group=True,
                tenant_id=self._tenant_id,
            ),
            recipient=ChannelAccount(id=f"28:{self._bot_app_id}"),
        )

        async def send(context: TurnContext) -> None:
            await context.send_activity(message)

        await self._adapter.continue_conversation(self._bot_app_id, continuation, send)

    async def notify_privately(self, thread_id: str, object_ids: Sequence[str], text: str) -> None:
        meeting_id = teams_meeting_id(thread_id)
        api = self._api(await self._service_urls.of(thread_id))
        recipients = [
            teams_id
            for object_id in object_ids
            if (teams_id := await self._participant_id(api, meeting_id, object_id))
        ]
        if not recipients:
            log.info("no one to notify privately is in the meeting")
            return
        await api.meetings.send_notification(meeting_id, self._notification(recipients, text))

    async def _token(self) -> str:
        provider = self._connections.get_default_connection()
        token: str = await provider.get_access_token(BOT_FRAMEWORK_RESOURCE, [BOT_FRAMEWORK_SCOPE])
        return token

    async def _participant_id(self, api: ApiClient, meeting_id: str, object_id: str) -> str | None:
        try:
            participant = await api.meetings.get_participant(meeting_id, object_id, self._tenant_id)
        except httpx.HTTPStatusError as error:
            if error.response.status_code == NOT_FOUND:
                return None
            raise
        in_meeting = participant.meeting is not None and bool(participant.meeting.in_meeting)
        if participant.user is None or not in_meeting:
            return None
        return participant.user.id

    def _notification(self, recipients: list[str], text: str) -> MeetingNotificationParams:
        surface = MeetingNotificationSurface(
            surface="meetingStage",
            content_type="task",
            content={
                "value": {
                    "height": "medium",
                    "width": "medium",
                    "title": text[:NOTIFICATION_TITLE_LIMIT],
                    "url": self._page_url,
                }
            },
        )
        return MeetingNotificationParams(
            value=MeetingNotificationValue(recipients=recipients, surfaces=[surface])
        )
