"""Control API for the bot in the meeting lobby and for what people do to the bot in a meeting
chat beyond plain messages: whether Teams keeps a joining bot in the lobby, admitting it, an
@mention of the bot, and pressing a button on its card."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sandbox.app_keys import CALLING, TEAMS
from sandbox.calls.calling import CallingService
from sandbox.control.parsing import boolean_field, json_body, text_field
from sandbox.teams.meeting_driver import MeetingDriver


def _driver(request: web.Request) -> MeetingDriver:
    driver: MeetingDriver = request.config_dict[TEAMS]
    return driver


async def set_lobby(request: web.Request) -> web.Response:
    """Body: `{"holdsBots": true}`: a bot joining a meeting whose lobby is not open to
    everyone waits there until admitted (false, the default: admitted at once)."""
    body = await json_body(request)
    calling: CallingService = request.config_dict[CALLING]
    calling.holds_bots_in_lobby = boolean_field(body, "holdsBots", False)
    return web.json_response({"holdsBots": calling.holds_bots_in_lobby})


async def admit_bot(request: web.Request) -> web.Response:
    """Someone in the meeting admits the bot from the lobby; 409 when it is not waiting."""
    admitted = _driver(request).admit_bot(request.match_info["meeting"])
    return web.json_response({"admittedCalls": admitted})


async def mention_bot(request: web.Request) -> web.Response:
    """Body: `{"from": "<who>", "text": "..."}`: a message in the meeting chat that
    @mentions the bot."""
    body = await json_body(request)
    delivery = await _driver(request).say(
        request.match_info["meeting"],
        text_field(body, "from"),
        text_field(body, "text"),
        mention_bot=True,
    )
    return web.json_response(_delivered(delivery.delivered, delivery.outcome), status=201)


async def press_card_button(request: web.Request) -> web.Response:
    """Body: `{"from": "<who>", "data": {...}}`: they press the Action.Submit button with
    this data on the bot's latest card in the meeting chat."""
    body = await json_body(request)
    data = body.get("data")
    if not isinstance(data, dict):
        raise web.HTTPBadRequest(text='give "data": the button\'s data object')
    delivery = await _driver(request).press_card_button(
        request.match_info["meeting"], text_field(body, "from"), data
    )
    return web.json_response(_delivered(delivery.delivered, delivery.outcome), status=201)


def _delivered(delivered: bool, outcome: str) -> dict[str, Any]:
    return {"delivered": delivered, "outcome": outcome}


def add_lobby_routes(router: web.UrlDispatcher) -> None:
    router.add_put("/api/calls/lobby", set_lobby)
    router.add_post("/api/meetings/{meeting}/lobby/admit-bot", admit_bot)
    router.add_post("/api/meetings/{meeting}/bot-mentions", mention_bot)
    router.add_post("/api/meetings/{meeting}/card-actions", press_card_button)
