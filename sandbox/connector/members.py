"""Bot Connector v3 member look-up (`GET v3/conversations/{id}/members/{memberId}`): one member
of a conversation as a TeamsChannelAccount, with `userRole` (`user`, `guest` or `anonymous`),
by `29:` id or Entra object id. A personal chat's member is the person who wrote to the bot; a
meeting chat's are its roster. Anyone else is 404 `MemberNotFoundInConversation`."""

from __future__ import annotations

from aiohttp import web

from sandbox.app_keys import TENANT
from sandbox.connector.membership import conversation_for, meeting_for, roster_account
from sandbox.connector.protection import ConnectorError
from sandbox.ids import teams_meeting_id
from sandbox.teams.accounts import TeamsAccount
from sandbox.tenant import Tenant


def _not_a_member() -> ConnectorError:
    return ConnectorError(
        404, "MemberNotFoundInConversation", "The member is not in this conversation."
    )


def _member(tenant: Tenant, conversation_id: str, key: str) -> TeamsAccount:
    conversation = conversation_for(tenant, conversation_id)
    if conversation.conversation_type == "personal":
        account = tenant.teams_accounts.by_id(conversation.member_id or "")
        if account is None or not account.names(key):
            raise _not_a_member()
        return account
    meeting, chat = meeting_for(tenant, teams_meeting_id(conversation.id))
    try:
        return roster_account(tenant, meeting, chat, key)
    except ConnectorError as error:
        raise _not_a_member() from error


async def conversation_member(request: web.Request) -> web.Response:
    tenant = request.config_dict[TENANT]
    account = _member(tenant, request.match_info["conversation"], request.match_info["member"])
    return web.json_response(account.channel_account())


def add_member_routes(app: web.Application) -> None:
    app.router.add_get("/v3/conversations/{conversation}/members/{member}", conversation_member)
