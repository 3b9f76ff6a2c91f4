"""Bot Connector v3 conversation routes: the bot posts an activity to a conversation
(`POST v3/conversations/{id}/activities`), replies to one (`POST .../activities/{activityId}`)
or updates one of its own (`PUT .../activities/{activityId}`). Everything is kept in the
conversation, cards included, for tests and pages to read."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from sandbox.app_keys import TENANT
from sandbox.connector.membership import conversation_for
from sandbox.connector.protection import BOT_AUTHENTICATION, ConnectorError
from sandbox.graph_time import graph_datetime
from sandbox.teams.conversations import Conversation
from sandbox.tenant import Tenant


async def _activity_body(request: web.Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.text())
    except ValueError as error:
        raise ConnectorError(400, "BadSyntax", "The request body is not valid JSON.") from error
    if not isinstance(body, dict) or not isinstance(body.get("type"), str):
        raise ConnectorError(400, "BadArgument", "An activity with a 'type' is required.")
    return body


def _as_posted(tenant: Tenant, conversation: Conversation, body: dict[str, Any]) -> dict[str, Any]:
    """The activity as Teams keeps it: from the bot, in this conversation."""
    return {
        **body,
        "timestamp": graph_datetime(tenant.now()),
        "channelId": "msteams",
        "from": {"id": f"28:{tenant.bot.client_id}", "name": tenant.bot.display_name},
        "conversation": {"id": conversation.id, "conversationType": conversation.conversation_type},
    }


async def _post(request: web.Request, reply_to_id: str | None) -> web.Response:
    tenant = request.config_dict[TENANT]
    conversation = conversation_for(tenant, request.match_info["conversation"])
    body = await _activity_body(request)
    body.pop("id", None)
    if reply_to_id is not None:
        body["replyToId"] = reply_to_id
    entry = tenant.conversations.record(
        conversation, "from_bot", _as_posted(tenant, conversation, body), tenant.now(), reply_to_id
    )
    entry.bot_authentication = request[BOT_AUTHENTICATION]
    return web.json_response({"id": entry.id}, status=201)


async def send_to_conversation(request: web.Request) -> web.Response:
    return await _post(request, None)


async def reply_to_activity(request: web.Request) -> web.Response:
    return await _post(request, request.match_info["activity"])


async def update_activity(request: web.Request) -> web.Response:
    tenant = request.config_dict[TENANT]
    conversation = conversation_for(tenant, request.match_info["conversation"])
    entry = conversation.entry(request.match_info["activity"])
    if entry is None:
        raise ConnectorError(404, "ActivityNotFound", "The activity was not found.")
    if entry.direction != "from_bot":
        raise ConnectorError(403, "Forbidden", "A bot can update only its own activities.")
    body = await _activity_body(request)
    entry.activity = {**_as_posted(tenant, conversation, body), "id": entry.id}
    if entry.reply_to_id is not None:
        entry.activity["replyToId"] = entry.reply_to_id
    entry.updated_at = tenant.now()
    return web.json_response({"id": entry.id})


def add_conversation_routes(app: web.Application) -> None:
    router = app.router
    router.add_post("/v3/conversations/{conversation}/activities", send_to_conversation)
    router.add_post("/v3/conversations/{conversation}/activities/{activity}", reply_to_activity)
    router.add_put("/v3/conversations/{conversation}/activities/{activity}", update_activity)
