"""Teams chats (for now, the chats of online meetings): members and installed apps."""

from __future__ import annotations

from dataclasses import dataclass, field

from sandbox.registration import RscPermission


@dataclass(frozen=True, slots=True)
class ChatMember:
    """A member of the chat: a tenant user (`user_id`) or an outside person (address only)."""

    user_id: str | None
    display_name: str
    email: str


@dataclass(frozen=True, slots=True)
class AppInstallation:
    id: str
    catalog_app_id: str
    consented_permissions: frozenset[RscPermission]


@dataclass
class Chat:
    id: str
    topic: str
    chat_type: str
    online_meeting_id: str | None
    members: list[ChatMember] = field(default_factory=list)
    installed_apps: list[AppInstallation] = field(default_factory=list)

    def installation_of(self, catalog_app_id: str) -> AppInstallation | None:
        return next((a for a in self.installed_apps if a.catalog_app_id == catalog_app_id), None)


class ChatStore:
    def __init__(self) -> None:
        self._chats: dict[str, Chat] = {}

    def add(self, chat: Chat) -> None:
        self._chats[chat.id] = chat

    def get(self, chat_id: str) -> Chat | None:
        return self._chats.get(chat_id)
