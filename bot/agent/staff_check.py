"""Whether the sender of an activity is staff: a member of our tenant (the activity's tenant is
ours and the sender has an Entra object id) whom the Bot Connector describes as a `user`, not a
guest. In a meeting chat the connector's meeting participant look-up is asked; in a personal
chat, the conversation member look-up. Any doubt (no object id, another tenant, an error from
the connector, an answer that does not match) means "not staff"."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pydantic
from microsoft_teams.api import ApiClient

from bot.agent.activity_origin import teams_meeting_id, tenant_of
from bot.agent.teams_people import is_our_member, same_id

log = logging.getLogger(__name__)

LOOK_UP_FAILURES = (httpx.HTTPError, pydantic.ValidationError, ValueError)


async def is_staff(activity: Any, api: ApiClient, tenant_id: str) -> bool:
    sender = activity.from_property
    object_id = getattr(sender, "aad_object_id", None)
    if sender is None or not object_id or not same_id(tenant_of(activity), tenant_id):
        return False
    meeting_id = teams_meeting_id(activity)
    try:
        if meeting_id is not None:
            participant = await api.meetings.get_participant(meeting_id, object_id, tenant_id)
            account = participant.user
        else:
            account = await api.conversations.members_client.get_by_id(
                activity.conversation.id, sender.id
            )
    except LOOK_UP_FAILURES as error:
        log.warning("could not confirm a sender is staff: %s", type(error).__name__)
        return False
    return account is not None and is_our_member(account, object_id, tenant_id)
