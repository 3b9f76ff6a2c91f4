"""Where an activity came from: the Teams meeting it belongs to (from its channel data), the
tenant it was sent in, and whether it addresses the bot by @mention. The channel data is
read whether the SDK has parsed it into a model yet or not."""

from __future__ import annotations

from typing import Any


def _field(holder: Any, name: str) -> Any:
    if isinstance(holder, dict):
        return holder.get(name)
    return getattr(holder, name, None)


def teams_meeting_id(activity: Any) -> str | None:
    """The Teams meeting id (base64 of `0#<thread id>#0`) of a meeting chat's activity."""
    meeting_id = _field(_field(activity.channel_data, "meeting"), "id")
    return meeting_id if isinstance(meeting_id, str) and meeting_id else None


def tenant_of(activity: Any) -> str | None:
    """The tenant the activity was sent in: its channel data's, else its conversation's."""
    tenant_id = _field(_field(activity.channel_data, "tenant"), "id")
    if not tenant_id and activity.conversation is not None:
        tenant_id = activity.conversation.tenant_id
    return tenant_id if isinstance(tenant_id, str) and tenant_id else None


def in_meeting_chat(activity: Any) -> bool:
    return teams_meeting_id(activity) is not None


def mentions_bot(activity: Any) -> bool:
    """Whether the message @mentions the bot (its recipient)."""
    recipient = activity.recipient
    if recipient is None:
        return False
    return any(
        _field(_field(entity, "mentioned"), "id") == recipient.id
        for entity in activity.entities or ()
        if _field(entity, "type") == "mention"
    )
