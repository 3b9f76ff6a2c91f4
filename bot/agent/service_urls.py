"""The Bot Connector address of each meeting chat: remembered from the chat's activities (in
memory, and on the meeting in the store so other instances and restarts know it), with the
configured default for a chat Teams has not written from yet."""

from __future__ import annotations

from bot.services.meeting_chat_address import remember_service_url, service_url_of
from consent_store.unit_of_work import Store


class ServiceUrls:
    def __init__(self, store: Store, default: str) -> None:
        self._store = store
        self._default = default
        self._known: dict[str, str] = {}

    async def remember(self, thread_id: str, service_url: str) -> None:
        """Note the service URL an activity from this chat came with (written to the store
        only when it differs from what this instance last saw)."""
        if self._known.get(thread_id) == service_url:
            return
        await remember_service_url(self._store, thread_id, service_url)
        self._known[thread_id] = service_url

    async def of(self, thread_id: str) -> str:
        known = self._known.get(thread_id)
        if known is not None:
            return known
        return await service_url_of(self._store, thread_id) or self._default
