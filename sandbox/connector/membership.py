"""Where the bot belongs and who else is there: a meeting chat counts only once the bot's app
is installed in it (403 `BotNotInConversationRoster` otherwise, as Teams answers), a personal
chat once the person has written to the bot; a meeting's roster is its chat's members and
everyone who has attended."""

from __future__ import annotations

import base64
import binascii

from sandbox.chats import Chat
from sandbox.connector.protection import ConnectorError
from sandbox.meetings import OnlineMeeting
from sandbox.teams.accounts import TeamsAccount
from sandbox.teams.conversations import Conversation
from sandbox.tenant import Tenant


def _bot_chat(tenant: Tenant, chat_id: str) -> Chat | None:
    chat = tenant.chats.get(chat_id)
    if chat is None:
        return None
    catalog_app = tenant.bot_catalog_app
    if catalog_app is None or chat.installation_of(catalog_app.id) is None:
        raise ConnectorError(
            403, "BotNotInConversationRoster", "The bot is not part of the conversation roster."
        )
    return chat


def conversation_for(tenant: Tenant, conversation_id: str) -> Conversation:
    if _bot_chat(tenant, conversation_id) is not None:
        return tenant.conversations.meeting_chat(conversation_id)
    conversation = tenant.conversations.get(conversation_id)
    if conversation is None:
        raise ConnectorError(404, "ConversationNotFound", "Conversation not found.")
    return conversation


def _thread_of(teams_meeting_id: str) -> str:
    try:
        decoded = base64.b64decode(teams_meeting_id, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return ""
    parts = decoded.split("#")
    return parts[1] if len(parts) == 3 else ""


def meeting_for(tenant: Tenant, teams_meeting_id: str) -> tuple[OnlineMeeting, Chat]:
    """The meeting a Teams meeting id (base64 of `0#<thread id>#0`) names, and its chat."""
    chat = _bot_chat(tenant, _thread_of(teams_meeting_id))
    meeting = tenant.meetings.get(chat.online_meeting_id or "") if chat is not None else None
    if chat is None or meeting is None:
        raise ConnectorError(404, "NotFound", "The meeting was not found.")
    return meeting, chat


def roster_account(tenant: Tenant, meeting: OnlineMeeting, chat: Chat, key: str) -> TeamsAccount:
    """The meeting's participant named by `29:` id or Entra object id; 404 for anyone else."""
    live = tenant.live_meetings.get(meeting.id)
    attended = live.participant(key) if live is not None else None
    if attended is not None:
        return attended.account
    user = None if key.startswith("29:") else tenant.directory.user_by_object_id(key)
    account = (
        tenant.teams_accounts.by_id(key) if user is None else tenant.teams_accounts.for_user(user)
    )
    if account is not None and account.aad_object_id is not None:
        keys = {account.aad_object_id.lower(), (account.email or "").lower()}
        if any((m.user_id or m.email).lower() in keys for m in chat.members):
            return account
    raise ConnectorError(404, "NotFound", "The participant is not in this meeting's roster.")
