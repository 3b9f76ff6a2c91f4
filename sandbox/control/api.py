"""The sandbox-only JSON API under `/sandbox/api` for mail, files and faults: act as the
people around the tenant (read an inbox, reply as an outside person, write to the tenant,
post a file in a chat) and turn the fault knobs. Each route is a thin layer over the same
Python objects tests may use directly (`Tenant.correspondents`, `Tenant.files`,
`Tenant.faults`, the notifier). Teams and meetings have their own routes (`teams_api`)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sandbox.app_keys import CALLING, NOTIFIER, TENANT
from sandbox.control.parsing import (
    ControlError,
    boolean_field,
    count_field,
    file_content,
    integer_field,
    json_body,
    optional_text_field,
    text_field,
)
from sandbox.directory import TenantUser
from sandbox.faults import NotificationFault
from sandbox.files import Grantee
from sandbox.graph.drives import item_resource, share_id
from sandbox.graph_time import graph_datetime_seconds
from sandbox.mail.authentication import Verdict
from sandbox.mail.composer import plain_text
from sandbox.mail.correspondents import UnknownMessageError
from sandbox.mail.decoding import header_text
from sandbox.mail.mailboxes import OutsideMessage, StoredMessage
from sandbox.notifier import LifecycleEvent
from sandbox.tenant import Tenant

LIFECYCLE_EVENTS: dict[str, LifecycleEvent] = {
    "missed": "missed",
    "reauthorizationRequired": "reauthorizationRequired",
}
NOTIFICATION_FAULTS: dict[str, NotificationFault] = {
    "drop": "drop",
    "duplicate": "duplicate",
    "reorder": "reorder",
}


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
        "internetMessageId": header_text(parsed, "Message-ID"),
        "inReplyTo": header_text(parsed, "In-Reply-To") or None,
        "from": header_text(parsed, "From"),
        "to": header_text(parsed, "To"),
        "subject": header_text(parsed, "Subject"),
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


def _account_summary(tenant: Tenant, user: TenantUser) -> dict[str, Any]:
    return {
        "id": user.object_id,
        "displayName": user.display_name,
        "userPrincipalName": user.user_principal_name,
        "mail": user.mail,
        "userType": user.user_type,
        "appRoles": tenant.bot.roles_of(user.object_id),
    }


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
            "staff": [_account_summary(tenant, u) for u in tenant.directory.staff()],
            "guests": [_account_summary(tenant, u) for u in tenant.directory.guests()],
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
    body = await json_body(request)
    quote = body.get("quoteOriginal", True)
    if not isinstance(quote, bool):
        raise ControlError(400, "'quoteOriginal' must be a boolean")
    try:
        sent = tenant.correspondents.reply(
            address,
            request.match_info["message"],
            text_field(body, "text"),
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
    body = await json_body(request)
    sent = tenant.correspondents.write(
        request.match_info["address"],
        text_field(body, "to"),
        text_field(body, "subject", ""),
        text_field(body, "text"),
        verdict=_verdict(body),
    )
    return web.json_response(
        {"internetMessageId": sent.internet_message_id, "to": sent.to}, status=201
    )


async def send_mime_as_person(request: web.Request) -> web.Response:
    """Body: the RFC 5322 bytes, sent as they are to `?to=` (`&authentication=fail` to fail
    the tenant's checks)."""
    tenant = request.config_dict[TENANT]
    to = request.query.get("to")
    if not to:
        raise ControlError(400, "'to' is required")
    tenant.correspondents.send_mime(
        request.match_info["address"],
        to,
        await request.read(),
        verdict=_verdict(dict(request.query)),
    )
    return web.Response(status=202)


async def post_chat_file(request: web.Request) -> web.Response:
    """Body: `{"chatId": "19:...", "name": "plan.docx", "content": "text"}` (or
    `"contentBase64"`, optional `"contentType"`). Answers with the driveItem and the chat
    message attachment that points at it."""
    tenant = request.config_dict[TENANT]
    user = tenant.directory.user(request.match_info["user"])
    if user is None:
        raise ControlError(404, "no such user")
    body = await json_body(request)
    chat = tenant.chats.get(text_field(body, "chatId"))
    if chat is None:
        raise ControlError(404, "no such chat")
    content = file_content(body)
    members = [Grantee(m.user_id, m.display_name, m.email) for m in chat.members]
    item = tenant.files.share_in_chat(
        user,
        text_field(body, "name"),
        content,
        text_field(body, "contentType", "application/octet-stream"),
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
    503, "retryAfterSeconds": 1}, "ignoreWrites": {"count": 1, "pathContains":
    "onlineMeetings"}, "notifications": {"fault": "drop" | "duplicate" | "reorder", "count":
    1}, "varyCallIds": true}`."""
    faults = request.config_dict[TENANT].faults
    body = await json_body(request)
    if "varyCallIds" in body:
        faults.vary_call_ids = boolean_field(body, "varyCallIds", False)
    if "latencySeconds" in body:
        latency = body["latencySeconds"]
        if not isinstance(latency, int | float) or latency < 0:
            raise ControlError(400, "'latencySeconds' must be a non-negative number")
        faults.latency_seconds = float(latency)
    throttle = body.get("throttle")
    if isinstance(throttle, dict):
        faults.throttle(
            count_field(throttle),
            retry_after_seconds=integer_field(throttle, "retryAfterSeconds", 1),
            method=optional_text_field(throttle, "method"),
            path_contains=optional_text_field(throttle, "pathContains"),
        )
    failure = body.get("fail")
    if isinstance(failure, dict):
        try:
            faults.fail(
                count_field(failure),
                status=integer_field(failure, "status", 503),
                retry_after_seconds=integer_field(failure, "retryAfterSeconds", 0) or None,
                method=optional_text_field(failure, "method"),
                path_contains=optional_text_field(failure, "pathContains"),
            )
        except ValueError as error:
            raise ControlError(400, str(error)) from error
    ignored = body.get("ignoreWrites")
    if isinstance(ignored, dict):
        faults.ignore_writes(
            count_field(ignored), path_contains=optional_text_field(ignored, "pathContains")
        )
    notifications = body.get("notifications")
    if isinstance(notifications, dict):
        fault = NOTIFICATION_FAULTS.get(str(notifications.get("fault")))
        if fault is None:
            raise ControlError(400, "'fault' must be drop, duplicate or reorder")
        faults.disturb_notifications(fault, count_field(notifications))
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


async def remove_subscriptions(request: web.Request) -> web.Response:
    """Remove every subscription, as Graph does when it removes them: each with a
    lifecycleNotificationUrl is sent `subscriptionRemoved`. `?lifecycle=false` forgets them
    silently, as a sandbox restart does."""
    tenant = request.config_dict[TENANT]
    tell = request.query.get("lifecycle", "true") != "false"
    for subscription in tenant.subscriptions.remove_all():
        if tell:
            request.config_dict[NOTIFIER].lifecycle(subscription, "subscriptionRemoved")
    return web.Response(status=204)


async def send_lifecycle_events(request: web.Request) -> web.Response:
    """Body: `{"event": "missed" | "reauthorizationRequired"}`, sent to every live
    subscription with a lifecycleNotificationUrl."""
    tenant = request.config_dict[TENANT]
    event = LIFECYCLE_EVENTS.get(text_field(await json_body(request), "event"))
    if event is None:
        raise ControlError(400, "'event' must be missed or reauthorizationRequired")
    for subscription in tenant.subscriptions.live_all(tenant.now()):
        request.config_dict[NOTIFIER].lifecycle(subscription, event)
    return web.Response(status=204)


async def release_held_notifications(request: web.Request) -> web.Response:
    """Send now the change and comms notifications a `reorder` fault held back."""
    request.config_dict[NOTIFIER].release_held()
    request.config_dict[CALLING].release_held()
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
    router.add_post("/api/people/{address}/mime", send_mime_as_person)
    router.add_post("/api/users/{user}/chat-files", post_chat_file)
    router.add_get("/api/faults", get_faults)
    router.add_post("/api/faults", add_faults)
    router.add_delete("/api/faults", clear_faults)
    router.add_get("/api/notifications", list_deliveries)
    router.add_post("/api/notifications/release", release_held_notifications)
    router.add_delete("/api/subscriptions", remove_subscriptions)
    router.add_post("/api/subscriptions/lifecycle", send_lifecycle_events)
