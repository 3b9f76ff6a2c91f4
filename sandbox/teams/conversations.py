"""Teams conversations as the Bot Connector keeps them: meeting chats (the onlineMeeting's
`19:meeting_...@thread.v2`) and personal chats with the bot (`a:...`). Each keeps every
activity in order: what Teams sent the bot (messages and meeting events) and what the bot
posted (text, cards), with replies and updates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sandbox.ids import urlsafe_token

Direction = Literal["to_bot", "from_bot"]
ConversationType = Literal["groupChat", "personal"]


@dataclass
class ChatEntry:
    id: str
    direction: Direction
    activity: dict[str, Any]
    at: datetime
    reply_to_id: str | None = None
    updated_at: datetime | None = None
    bot_authentication: str | None = None
    """For what the bot posted: how it authenticated for the token the connector accepted
    (`appidacr`: "1" a client secret, "2" a certificate's or a federated client assertion)."""


@dataclass
class Conversation:
    id: str
    conversation_type: ConversationType
    member_id: str | None = None
    entries: list[ChatEntry] = field(default_factory=list)

    def entry(self, activity_id: str) -> ChatEntry | None:
        return next((e for e in self.entries if e.id == activity_id), None)


class ConversationStore:
    def __init__(self) -> None:
        self._conversations: dict[str, Conversation] = {}
        self._last_activity_id = 0

    def next_activity_id(self, now: datetime) -> str:
        """An id as Teams gives chat messages: milliseconds since the epoch, kept unique."""
        self._last_activity_id = max(self._last_activity_id + 1, int(now.timestamp() * 1000))
        return str(self._last_activity_id)

    def meeting_chat(self, thread_id: str) -> Conversation:
        return self._conversations.setdefault(thread_id, Conversation(thread_id, "groupChat"))

    def personal(self, member_id: str) -> Conversation:
        """The one-to-one chat between a person (by `29:` id) and the bot."""
        existing = next((c for c in self._conversations.values() if c.member_id == member_id), None)
        if existing is not None:
            return existing
        conversation = Conversation("a:1" + urlsafe_token(96), "personal", member_id)
        self._conversations[conversation.id] = conversation
        return conversation

    def get(self, conversation_id: str) -> Conversation | None:
        return self._conversations.get(conversation_id)

    def record(
        self,
        conversation: Conversation,
        direction: Direction,
        activity: dict[str, Any],
        now: datetime,
        reply_to_id: str | None = None,
    ) -> ChatEntry:
        """Keep an activity, giving it an id and timestamp if it has none."""
        activity_id = str(activity.get("id") or self.next_activity_id(now))
        kept = {**activity, "id": activity_id}
        entry = ChatEntry(activity_id, direction, kept, now, reply_to_id)
        conversation.entries.append(entry)
        return entry
