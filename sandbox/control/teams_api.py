"""The control API for Teams under `/sandbox/api`: where the bot is, live meetings driven
step by step (start, admit, leave, record, chat, post a file, end), personal chats with the
bot, Teams single sign-on tokens for the bot's tab, and what happened (conversations,
activities sent to the bot, calls). Each route is a thin layer over `app[TEAMS]` (a
`MeetingDriver`) and the tenant's state.

People are named as `TeamsAccounts.resolve` accepts: `29:` id, object id, UPN or mail
address. The first Teams request also records `tenant.sandbox_url` from the request's
address if it is not set yet."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from sandbox.app_keys import BOT_CHANNEL, CALLING, TEAMS, TENANT
from sandbox.botframework.metadata import CALLING_PREFIX, CHANNEL_PREFIX
from sandbox.control.lobby_api import add_lobby_routes
from sandbox.control.parsing import (
    ControlError,
    boolean_field,
    file_content,
    json_body,
    optional_text_field,
    text_field,
)
from sandbox.control.teams_views import (
    attendance_view,
    call_view,
    conversation_view,
    meeting_view,
)
from sandbox.entra.tokens import TEAMS_CLIENTS, TokenIssuer
from sandbox.graph_time import graph_datetime
from sandbox.public_urls import public_url
from sandbox.teams.bot_channel import ActivityDelivery
from sandbox.teams.live_meetings import LiveMeeting
from sandbox.teams.meeting_driver import MeetingDriver
from sandbox.teams.meeting_outcomes import MeetingActionError
from sandbox.tenant import CALLING_TOKEN_ISSUERS, Tenant


def _tenant(request: web.Request) -> Tenant:
    tenant = request.config_dict[TENANT]
    if tenant.sandbox_url is None:
        tenant.sandbox_url = public_url(request, "sandbox-index").removesuffix("/sandbox/")
    return tenant


def _driver(request: web.Request) -> MeetingDriver:
    _tenant(request)
    return request.config_dict[TEAMS]


def _delivery_view(delivery: ActivityDelivery) -> dict[str, Any]:
    return {
        "conversationId": delivery.conversation_id,
        "activityId": delivery.activity_id,
        "kind": delivery.kind,
        "outcome": delivery.outcome,
        "at": graph_datetime(delivery.at),
    }


def _live(request: web.Request) -> LiveMeeting:
    meeting = request.config_dict[TENANT].live_meetings.get(request.match_info["meeting"])
    if meeting is None:
        raise ControlError(404, "no live meeting for that onlineMeeting id")
    return meeting


def _state(request: web.Request, status: int = 200) -> web.Response:
    return web.json_response(meeting_view(_tenant(request), _live(request)), status=status)


def _bot_view(request: web.Request) -> dict[str, Any]:
    tenant = _tenant(request)
    return {
        "appId": tenant.bot.client_id,
        "endpoint": tenant.bot_endpoint,
        "serviceUrl": tenant.connector_url,
        "channelOpenIdMetadata": tenant.served_url(f"{CHANNEL_PREFIX}/openidconfiguration"),
        "channelKeys": tenant.served_url(f"{CHANNEL_PREFIX}/keys"),
        "callingOpenIdMetadata": tenant.served_url(
            f"{CALLING_PREFIX}/.well-known/OpenIdConfiguration"
        ),
        "callingKeys": tenant.served_url(f"{CALLING_PREFIX}/keys"),
    }


async def get_bot(request: web.Request) -> web.Response:
    return web.json_response(_bot_view(request))


async def set_bot(request: web.Request) -> web.Response:
    """Body: `{"endpoint": "http://localhost:3978/api/messages"}` (null to forget it)."""
    body = await json_body(request)
    _tenant(request).bot_endpoint = optional_text_field(body, "endpoint")
    return web.json_response(_bot_view(request))


async def teams_sso_token(request: web.Request) -> web.Response:
    """Body: `{"user": "<object id, UPN or mail>", "client": "web" | "desktop"}`: the token
    Teams single sign-on would give the bot's tab for that staff member or guest, in Teams on
    the web (the default) or the desktop and mobile app (outside people have no account to
    sign in with: 404)."""
    tenant = _tenant(request)
    body = await json_body(request)
    who = text_field(body, "user")
    client = text_field(body, "client", "web")
    if client not in TEAMS_CLIENTS:
        raise ControlError(400, f"'client' must be one of {', '.join(sorted(TEAMS_CLIENTS))}")
    user = tenant.directory.user(who) or tenant.directory.user_with_mail(who)
    if user is None or not user.can_sign_in:
        raise ControlError(404, "no tenant account that can sign in to Teams")
    issued = TokenIssuer(tenant).teams_sso_token(tenant.bot, user, TEAMS_CLIENTS[client])
    return web.json_response({"token": issued.value, "expiresIn": issued.expires_in})


async def list_activities(request: web.Request) -> web.Response:
    deliveries = request.config_dict[BOT_CHANNEL].deliveries
    return web.json_response({"value": [_delivery_view(d) for d in deliveries]})


async def create_meeting(request: web.Request) -> web.Response:
    """Body: `{"onlineMeetingId": "..."}`: a live meeting for an existing onlineMeeting."""
    body = await json_body(request)
    meeting = _driver(request).create(text_field(body, "onlineMeetingId"))
    return web.json_response(meeting_view(_tenant(request), meeting), status=201)


async def list_meetings(request: web.Request) -> web.Response:
    tenant = _tenant(request)
    return web.json_response(
        {"value": [meeting_view(tenant, m) for m in tenant.live_meetings.all()]}
    )


async def get_meeting(request: web.Request) -> web.Response:
    return _state(request)


async def start_meeting(request: web.Request) -> web.Response:
    """Body (optional): `{"host": "<who>"}`, by default the organiser."""
    body = await json_body(request)
    await _driver(request).start(request.match_info["meeting"], optional_text_field(body, "host"))
    return _state(request)


async def admit_participant(request: web.Request) -> web.Response:
    """Body: `{"user": "<who>"}`, or `{"anonymousName": "A Stranger"}`."""
    body = await json_body(request)
    admission = await _driver(request).admit(
        request.match_info["meeting"],
        optional_text_field(body, "user"),
        anonymous_name=optional_text_field(body, "anonymousName"),
    )
    return web.json_response(
        {
            "participant": attendance_view(admission.attendance),
            "delivery": _delivery_view(admission.delivery),
        },
        status=201,
    )


async def remove_participant(request: web.Request) -> web.Response:
    delivery = await _driver(request).leave(
        request.match_info["meeting"], request.match_info["participant"]
    )
    return web.json_response(_delivery_view(delivery))


async def start_recording(request: web.Request) -> web.Response:
    """Body: `{"by": "<who>", "startedWhilePermitted": false}`; 403 while the meeting does
    not allow recording."""
    body = await json_body(request)
    _driver(request).start_recording(
        request.match_info["meeting"],
        text_field(body, "by"),
        started_while_permitted=boolean_field(body, "startedWhilePermitted", False),
    )
    return _state(request)


async def stop_recording(request: web.Request) -> web.Response:
    """Body: `{"by": "<who>"}`."""
    body = await json_body(request)
    _driver(request).stop_recording(request.match_info["meeting"], text_field(body, "by"))
    return _state(request)


async def post_message(request: web.Request) -> web.Response:
    """Body: `{"from": "<who>", "text": "..."}`."""
    body = await json_body(request)
    delivery = await _driver(request).say(
        request.match_info["meeting"], text_field(body, "from"), text_field(body, "text")
    )
    return web.json_response(_delivery_view(delivery), status=201)


async def post_file(request: web.Request) -> web.Response:
    """Body: `{"from": "<who>", "name": "plan.docx", "content": "..." or "contentBase64":
    "...", "contentType": "...", "text": ""}`. Answers with the driveItem's ids, its sharing
    URL and the delivery to the bot."""
    body = await json_body(request)
    posted = await _driver(request).post_file(
        request.match_info["meeting"],
        text_field(body, "from"),
        text_field(body, "name"),
        file_content(body),
        text_field(body, "contentType", "application/octet-stream"),
        text_field(body, "text", ""),
    )
    item = posted.item
    return web.json_response(
        {
            "driveId": item.drive_id,
            "itemId": item.id,
            "webUrl": item.web_url,
            "delivery": _delivery_view(posted.delivery),
        },
        status=201,
    )


async def end_meeting(request: web.Request) -> web.Response:
    await _driver(request).end(request.match_info["meeting"])
    return _state(request)


async def message_bot(request: web.Request) -> web.Response:
    """Body: `{"from": "<who>", "text": "..."}`: a message in that person's personal chat
    with the bot."""
    body = await json_body(request)
    delivery = await _driver(request).message_bot(
        text_field(body, "from"), text_field(body, "text")
    )
    return web.json_response(_delivery_view(delivery), status=201)


async def get_conversation(request: web.Request) -> web.Response:
    conversation = request.config_dict[TENANT].conversations.get(request.match_info["conversation"])
    if conversation is None:
        raise ControlError(404, "no such conversation")
    return web.json_response(conversation_view(conversation))


async def set_prompt_time_scale(request: web.Request) -> web.Response:
    """`{"scale": 0}` plays prompts at once; 1 (the default) takes each WAV's duration."""
    body = await request.json()
    scale = body.get("scale") if isinstance(body, dict) else None
    if not isinstance(scale, int | float) or isinstance(scale, bool) or scale < 0:
        raise web.HTTPBadRequest(text='give {"scale": a number, 0 or more}')
    request.config_dict[TENANT].prompt_time_scale = float(scale)
    return web.json_response({"scale": float(scale)})


async def set_calling_token_issuer(request: web.Request) -> web.Response:
    """`{"issuer": "https://graph.microsoft.com"}` signs the tenant's comms notifications with
    that issuer; `https://api.botframework.com` (the default) is the other one accepted."""
    body = await json_body(request)
    issuer = body.get("issuer") if isinstance(body, dict) else None
    if issuer not in CALLING_TOKEN_ISSUERS:
        raise web.HTTPBadRequest(text=f'give {{"issuer": one of {list(CALLING_TOKEN_ISSUERS)}}}')
    request.config_dict[TENANT].calling_token_issuer = issuer
    return web.json_response({"issuer": issuer})


async def ring_bot(request: web.Request) -> web.Response:
    """Body: `{"from": "<who>", "callingEndpoint": "https://.../api/calls"}`: that person
    calls the bot directly; the incoming call's comms notification is sent, signed, to the
    calling endpoint (the bot registration's calling webhook in Microsoft's service).
    Answers `{"id": <the call's id>}`."""
    body = await json_body(request)
    try:
        caller = _tenant(request).teams_accounts.resolve(text_field(body, "from"))
    except LookupError as error:
        raise ControlError(404, "no such person") from error
    call_id = request.config_dict[CALLING].ring(caller, text_field(body, "callingEndpoint"))
    return web.json_response({"id": call_id}, status=202)


async def list_calls(request: web.Request) -> web.Response:
    tenant = request.config_dict[TENANT]
    deliveries = request.config_dict[CALLING].deliveries
    return web.json_response(
        {
            "value": [call_view(c) for c in tenant.calls.all()],
            "notifications": [
                {
                    "callId": d.call_id,
                    "resourceUrl": d.resource_url,
                    "changeType": d.change_type,
                    "outcome": d.outcome,
                    "at": graph_datetime(d.at),
                }
                for d in deliveries
            ],
        }
    )


@web.middleware
async def meeting_action_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """What Teams would not let happen, answered as a control API error."""
    try:
        return await handler(request)
    except MeetingActionError as error:
        raise ControlError(error.status, error.message) from error


def add_teams_control_routes(app: web.Application) -> None:
    router = app.router
    router.add_get("/api/bot", get_bot)
    router.add_put("/api/bot", set_bot)
    router.add_get("/api/activities", list_activities)
    router.add_post("/api/teams-sso-token", teams_sso_token)
    router.add_get("/api/meetings", list_meetings)
    router.add_post("/api/meetings", create_meeting)
    router.add_get("/api/meetings/{meeting}", get_meeting)
    router.add_post("/api/meetings/{meeting}/start", start_meeting)
    router.add_post("/api/meetings/{meeting}/participants", admit_participant)
    router.add_delete("/api/meetings/{meeting}/participants/{participant}", remove_participant)
    router.add_post("/api/meetings/{meeting}/recording/start", start_recording)
    router.add_post("/api/meetings/{meeting}/recording/stop", stop_recording)
    router.add_post("/api/meetings/{meeting}/messages", post_message)
    router.add_post("/api/meetings/{meeting}/files", post_file)
    router.add_post("/api/meetings/{meeting}/end", end_meeting)
    router.add_post("/api/personal-messages", message_bot)
    router.add_get("/api/conversations/{conversation}", get_conversation)
    router.add_get("/api/calls", list_calls)
    router.add_put("/api/calls/prompt-time-scale", set_prompt_time_scale)
    router.add_put("/api/calls/token-issuer", set_calling_token_issuer)
    router.add_post("/api/calls/incoming", ring_bot)
    add_lobby_routes(router)
