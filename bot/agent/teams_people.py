"""People as Teams' activities and connector answers describe them, turned into the
`TeamsPerson` the in-meeting use cases take, and the test of whom the bot treats as staff."""

from __future__ import annotations

from typing import Any

from bot.services.live_meeting import TeamsPerson

MEMBER_ROLE = "user"


def teams_person(account: Any) -> TeamsPerson:
    """A `TeamsPerson` from a channel account (SDK model with `id`, `name`, `aad_object_id`)."""
    object_id = getattr(account, "aad_object_id", None)
    return TeamsPerson(
        teams_id=str(account.id),
        display_name=str(getattr(account, "name", None) or ""),
        object_id=object_id or None,
    )


def same_id(first: str | None, second: str | None) -> bool:
    return bool(first) and bool(second) and str(first).lower() == str(second).lower()


def is_our_member(account: Any, object_id: str, tenant_id: str) -> bool:
    """Whether the connector's account (a TeamsChannelAccount) is a member of our tenant, not
    a guest, with this object id. Missing facts count against."""
    return (
        getattr(account, "user_role", None) == MEMBER_ROLE
        and same_id(getattr(account, "aad_object_id", None), object_id)
        and same_id(getattr(account, "tenant_id", None), tenant_id)
    )
