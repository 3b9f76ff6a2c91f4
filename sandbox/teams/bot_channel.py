"""Teams' side of the Bot Framework channel: each activity is kept in its conversation, then
posted to the bot's messaging endpoint (`tenant.bot_endpoint`) with a Bot Framework bearer
token, and the bot's answer is awaited, as Teams does. A meeting chat's activities reach the
bot only once its app is installed in that chat; personal chats always do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiohttp

from sandbox.botframework.tokens import channel_token
from sandbox.teams.conversations import Conversation
from sandbox.tenant import Tenant

BOT_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class ActivityDelivery:
    conversation_id: str
    activity_id: str
    kind: str
    outcome: str
    at: datetime

    @property
    def delivered(self) -> bool:
        return self.outcome.startswith("delivered")


class BotChannel:
    def __init__(self, tenant: Tenant) -> None:
        self._tenant = tenant
        self._session: aiohttp.ClientSession | None = None
        self.deliveries: list[ActivityDelivery] = []

    async def start(self) -> None:
        self._session = aiohttp.ClientSession()

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def send(self, conversation: Conversation, activity: dict[str, Any]) -> ActivityDelivery:
        """Keep the activity in the conversation and post it to the bot."""
        tenant = self._tenant
        entry = tenant.conversations.record(conversation, "to_bot", activity, tenant.now())
        kind = str(activity.get("name") or activity["type"])
        problem = self._unreachable(conversation)
        if problem is not None:
            return self._record(conversation, entry.id, kind, f"not sent: {problem}")
        if self._session is None:
            raise RuntimeError("the bot channel has not been started")
        endpoint = str(tenant.bot_endpoint)
        headers = {"Authorization": f"Bearer {channel_token(tenant)}"}
        timeout = aiohttp.ClientTimeout(total=BOT_TIMEOUT_SECONDS)
        try:
            async with self._session.post(
                endpoint, json=entry.activity, headers=headers, timeout=timeout
            ) as response:
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as error:
            return self._record(conversation, entry.id, kind, f"failed: {type(error).__name__}")
        outcome = "delivered" if 200 <= status < 300 else "failed"
        return self._record(conversation, entry.id, kind, f"{outcome}: HTTP {status}")

    def _unreachable(self, conversation: Conversation) -> str | None:
        tenant = self._tenant
        if tenant.bot_endpoint is None:
            return "no bot endpoint is configured"
        if conversation.conversation_type == "personal":
            return None
        chat = tenant.chats.get(conversation.id)
        catalog_app = tenant.bot_catalog_app
        if chat is None or catalog_app is None or chat.installation_of(catalog_app.id) is None:
            return "the bot's app is not installed in this chat"
        return None

    def _record(
        self, conversation: Conversation, activity_id: str, kind: str, outcome: str
    ) -> ActivityDelivery:
        delivery = ActivityDelivery(conversation.id, activity_id, kind, outcome, self._tenant.now())
        self.deliveries.append(delivery)
        return delivery
