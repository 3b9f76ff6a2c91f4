"""The sandbox-only JSON API under `/sandbox/api`: act as the people around the tenant (read
an inbox, reply as an outside person, write to the tenant, post a file in a chat) and turn
the fault knobs. Each route is a thin layer over the same Python objects tests may use
directly (`Tenant.correspondents`, `Tenant.files`, `Tenant.faults`, the notifier)."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from sandbox.app_keys import NOTIFIER, TENANT
from sandbox.faults import NotificationFault
from sandbox.files import Grantee
from sandbox.graph.drives import item_resource, share_id
from sandbox.graph_time import graph_datetime_seconds
from sandbox.mail.authentication import Verdict
from sandbox.mail.composer import plain_text
from sandbox.mail.correspondents import UnknownMessageError
from sandbox.mail.mailboxes import OutsideMessage, StoredMessage

NOTIFICATION_FAULTS: dict[str, NotificationFault] = {
    "drop": "drop",
    "duplicate": "duplicate",
    "reorder": "reorder",
}


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@web.middleware
async def control_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except ControlError as error:
        return web.json_response({"error": error.message}, status=error.status)
    return response


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.text() or "{}")
    except ValueError as error:
        raise ControlError(400, "the body must be JSON") from error
    if not isinstance(body, dict):
        raise ControlError(400, "the body must be a JSON object")
    return body


def _text(body: dict[str, Any], name: str, default: str | None = None) -> str:
    value = body.get(name, default)
    if not isinstance(value, str):
        raise ControlError(400, f"'{name}' must be a string")
    return value


def _optional_text(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise ControlError(400, f"'{name}' must be a string")
    return value


def _integer(body: dict[str, Any], name: str, default: int) -> int:
    value = body.get(name, default)
    if not isinstance(value, int):
        raise ControlError(400, f"'{name}' must be an integer")
    return value


def _count(body: dict[str, Any]) -> int:
    value = body.get("count", 1)
    if not isinstance(value, int) or value < 1:
        raise ControlError(400, "'count' must be a positive integer")
    return value


def _verdict(body: dict[str, Any]) -> Verdict:
    value = body.get("authentication", "pass")
    if value == "pass":
        return "pass"
    if value == "fail":
        return "fail"
    raise ControlError(400, "'authentication' must be 'pass' or 'fail'")


def _summary(message: OutsideMessage | StoredMessage) -> dict[str, Any]:
    parsed = message.parsed()
    return {
        "id": message.id,
        "internetMessageId": str(parsed.get("Message-ID", "")),
        "inReplyTo": str(parsed.get("In-Reply-To", "")) or None,
        "from": str(parsed.get("From", "")),
        "to": str(parsed.get("To", "")),
        "subject": str(parsed.get("Subject", "")),
        "receivedDateTime": graph_datetime_seconds(message.received_at),
        "text": plain_text(parsed),
    }


def _messages_of(request: web.Request) -> list[OutsideMessage] | list[StoredMessage]:
    tenant = request.config_dict[TENANT]
    address = request.match_info["address"]
    user = tenant.directory.user_by_address(address)
    if user is not None:
        return tenant.mail.mailbox(user).messages_in("inbox")
    return tenant.correspondents.inbox(address)


async def tenant_summary(request: web.Request) -> web.Response:
    tenant = request.config_dict[TENANT]
    return web.json_response(
        {
            "tenantId": tenant.tenant_id,
            "domain": tenant.domain,
            "authority": f"https://{tenant.authority_host}/{tenant.tenant_id}",
            "consentMailbox": tenant.consent_mailbox.mail,
            "apps": [
                {"clientId": app.client_id, "displayName": app.display_name} for app in tenant.apps
            ],
            "staff": [
                {
                    "id": u.object_id,
                    "displayName": u.display_name,
                    "userPrincipalName": u.user_principal_name,
                }
                for u in tenant.directory.staff()
            ],
            "externalPeople": [
                {"address": p.address, "displayName": p.display_name, "role": p.role}
                for p in tenant.directory.external_people
            ],
        }
    )


async def list_inbox(request: web.Request) -> web.Response:
    return web.json_response({"value": [_summary(m) for m in _messages_of(request)]})


async def message_mime(request: web.Request) -> web.Response:
    wanted = request.match_info["message"]
    message = next((m for m in _messages_of(request) if m.id == wanted), None)
    if message is None:
        raise ControlError(404, "no such message in this inbox")
    return web.Response(body=message.mime, content_type="message/rfc822")


async def reply_as_person(request: web.Request) -> web.Response:
    """Body: `{"text": "...", "quoteOriginal": true, "authentication": "pass" | "fail"}`."""
    tenant = request.config_dict[TENANT]
    address = request.match_info["address"]
    if tenant.directory.user_by_address(address) is not None:
        raise ControlError(400, "tenant users reply through Graph, not the sandbox")
    body = await _body(request)
    quote = body.get("quoteOriginal", True)
    if not isinstance(quote, bool):
        raise ControlError(400, "'quoteOriginal' must be a boolean")
    try:
        sent = tenant.correspondents.reply(
            address,
            request.match_info["message"],
            _text(body, "text"),
            quote_original=quote,
            verdict=_verdict(body),
        )
    except UnknownMessageError as error:
        raise ControlError(404, "no such message in this inbox") from error
    return web.json_response(
        {"internetMessageId": sent.internet_message_id, "to": sent.to}, status=201
    )


async def write_as_person(request: web.Request) -> web.Response:
    """Body: `{"to": "...", "subject": "...", "text": "...", "authentication": "pass"}`."""
    tenant = request.config_dict[TENANT]
    body = await _body(request)
    sent = tenant.correspondents.write(
        request.match_info["address"],
        _text(body, "to"),
        _text(body, "subject", ""),
        _text(body, "text"),
        verdict=_verdict(body),
    )
    return web.json_response(
        {"internetMessageId": sent.internet_message_id, "to": sent.to}, status=201
    )


async def post_chat_file(request: web.Request) -> web.Response:
    """Body: `{"chatId": "19:...", "name": "plan.docx", "content": "text"}` (or
    `"contentBase64"`, optional `"contentType"`). Answers with the driveItem and the chat
    message attachment that points at it."""
    tenant = request.config_dict[TENANT]
    user = tenant.directory.user(request.match_info["user"])
    if user is None:
        raise ControlError(404, "no such user")
    body = await _body(request)
    chat = tenant.chats.get(_text(body, "chatId"))
    if chat is None:
        raise ControlError(404, "no such chat")
    if "contentBase64" in body:
        try:
            content = base64.b64decode(_text(body, "contentBase64"), validate=True)
        except binascii.Error as error:
            raise ControlError(400, "'contentBase64' is not base64") from error
    else:
        content = _text(body, "content", "").encode()
    members = [Grantee(m.user_id, m.display_name, m.email) for m in chat.members]
    item = tenant.files.share_in_chat(
        user,
        _text(body, "name"),
        content,
        _text(body, "contentType", "application/octet-stream"),
        members,
        tenant.now(),
    )
    attachment = {
        "id": item.etag_guid,
        "contentType": "reference",
        "contentUrl": item.web_url,
        "name": item.name,
    }
    return web.json_response(
        {
            "driveItem": item_resource(item),
            "attachment": attachment,
            "shareId": share_id(item.web_url),
        },
        status=201,
    )


async def get_faults(request: web.Request) -> web.Response:
    return web.json_response(request.config_dict[TENANT].faults.describe())


async def add_faults(request: web.Request) -> web.Response:
    """Body (any of): `{"latencySeconds": 0.5, "throttle": {"count": 2, "retryAfterSeconds":
    1, "method": "PATCH", "pathContains": "onlineMeetings"}, "fail": {"count": 1, "status":
    503, "retryAfterSeconds": 1}, "notifications": {"fault": "drop" | "duplicate" | "reorder",
    "count": 1}}`."""
    faults = request.config_dict[TENANT].faults
    body = await _body(request)
    if "latencySeconds" in body:
        latency = body["latencySeconds"]
        if not isinstance(latency, int | float) or latency < 0:
            raise ControlError(400, "'latencySeconds' must be a non-negative number")
        faults.latency_seconds = float(latency)
    throttle = body.get("throttle")
    if isinstance(throttle, dict):
        faults.throttle(
            _count(throttle),
            retry_after_seconds=_integer(throttle, "retryAfterSeconds", 1),
            method=_optional_text(throttle, "method"),
            path_contains=_optional_text(throttle, "pathContains"),
        )
    failure = body.get("fail")
    if isinstance(failure, dict):
        try:
            faults.fail(
                _count(failure),
                status=_integer(failure, "status", 503),
                retry_after_seconds=_integer(failure, "retryAfterSeconds", 0) or None,
                method=_optional_text(failure, "method"),
                path_contains=_optional_text(failure, "pathContains"),
            )
        except ValueError as error:
            raise ControlError(400, str(error)) from error
    notifications = body.get("notifications")
    if isinstance(notifications, dict):
        fault = NOTIFICATION_FAULTS.get(str(notifications.get("fault")))
        if fault is None:
            raise ControlError(400, "'fault' must be drop, duplicate or reorder")
        faults.disturb_notifications(fault, _count(notifications))
    return web.json_response(faults.describe())


async def clear_faults(request: web.Request) -> web.Response:
    request.config_dict[TENANT].faults.clear()
    return web.Response(status=204)


async def list_deliveries(request: web.Request) -> web.Response:
    deliveries = request.config_dict[NOTIFIER].deliveries
    return web.json_response(
        {
            "value": [
                {
                    "subscriptionId": d.subscription_id,
                    "resource": d.resource,
                    "outcome": d.outcome,
                    "at": graph_datetime_seconds(d.at),
                }
                for d in deliveries
            ]
        }
    )


async def release_held_notifications(request: web.Request) -> web.Response:
    request.config_dict[NOTIFIER].release_held()
    return web.Response(status=204)


def add_control_api_routes(app: web.Application) -> None:
    router = app.router
    router.add_get("/api/tenant", tenant_summary)
    router.add_get("/api/people/{address}/messages", list_inbox)
    router.add_post("/api/people/{address}/messages", write_as_person)
    router.add_get(
        "/api/people/{address}/messages/{message}/mime", message_mime, name="sandbox-message-mime"
    )
    router.add_post("/api/people/{address}/messages/{message}/reply", reply_as_person)
    router.add_post("/api/users/{user}/chat-files", post_chat_file)
    router.add_get("/api/faults", get_faults)
    router.add_post("/api/faults", add_faults)
    router.add_delete("/api/faults", clear_faults)
    router.add_get("/api/notifications", list_deliveries)
    router.add_post("/api/notifications/release", release_held_notifications)
