"""Graph `/subscriptions`: change notifications for new messages in a mailbox (resource
`users/{id}/messages` or `users/{id}/mailFolders('inbox')/messages`), and for new meeting
recordings or transcripts across the tenant (`communications/onlineMeetings/getAllRecordings`,
`getAllTranscripts`; OnlineMeetingRecording.Read.All, OnlineMeetingTranscript.Read.All; over an
hour only with a lifecycleNotificationUrl, as Microsoft documents).

Creating (or moving) a subscription performs the validation handshake with its endpoints
first and fails with 400 if they do not echo the token; expiry is limited to 10080 minutes
(Outlook resources); an app sees only its own subscriptions. The notification URL must be
https, or http on a loopback address (the sandbox's allowance for local receivers).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from sandbox.app_keys import NOTIFIER, TENANT
from sandbox.graph.errors import GraphError, bad_request
from sandbox.graph.mailbox_access import scoped_mailbox_owner
from sandbox.graph.odata import json_object
from sandbox.graph.protection import Denial, GraphRouter, caller_of
from sandbox.graph_time import graph_datetime, parse_graph_datetime
from sandbox.ids import new_guid
from sandbox.notifier import HandshakeFailedError
from sandbox.registration import LOOPBACK_HOSTS
from sandbox.subscriptions import Subscription

MAIL_ROLES = frozenset({"Mail.Read", "Mail.ReadWrite", "Mail.ReadBasic.All"})
ARTEFACT_RESOURCES = {
    "communications/onlinemeetings/getallrecordings": (
        "recording",
        frozenset({"OnlineMeetingRecording.Read.All"}),
    ),
    "communications/onlinemeetings/getalltranscripts": (
        "transcript",
        frozenset({"OnlineMeetingTranscript.Read.All"}),
    ),
}
ROLES = MAIL_ROLES.union(*(roles for _, roles in ARTEFACT_RESOURCES.values()))
ARTEFACT_MAX_LIFETIME = timedelta(minutes=4230)
LIFECYCLE_URL_REQUIRED_AFTER = timedelta(hours=1)
DENIAL = Denial(
    403,
    "ExtensionError",
    "Operation: Create; Exception: [Status Code: Forbidden; Reason: Access is denied. "
    "Check credentials and try again.]",
)
MAX_LIFETIME = timedelta(minutes=10080)
CHANGE_TYPES = frozenset({"created", "updated", "deleted"})
MESSAGES_RESOURCE = re.compile(
    r"^/?users/(?P<user>[^/]+)/(?:mailfolders(?:\('(?P<quoted>[^']+)'\)|/(?P<plain>[^/]+))/)?messages$",
    re.IGNORECASE,
)


def _invalid(message: str) -> GraphError:
    return GraphError(400, "InvalidRequest", message)


def _notification_url(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise _invalid(f"{name} is required.")
    parts = urlsplit(value)
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS):
        return value
    raise _invalid(f"{name} must use the https scheme.")


def _expiration(request: web.Request, value: object, limit: timedelta = MAX_LIFETIME) -> datetime:
    now = request.config_dict[TENANT].now()
    try:
        expiration = parse_graph_datetime(str(value))
    except ValueError as error:
        raise _invalid("expirationDateTime is not a valid date-time.") from error
    if expiration <= now:
        raise _invalid("Subscription expiration must be in the future.")
    if expiration > now + limit:
        minutes = int(limit.total_seconds() // 60)
        raise _invalid(f"Subscription expiration can only be {minutes} minutes in the future.")
    return expiration


async def _handshake(request: web.Request, *urls: str | None) -> None:
    notifier = request.config_dict[NOTIFIER]
    for url in urls:
        if url is None:
            continue
        try:
            await notifier.validate(url)
        except HandshakeFailedError as error:
            raise _invalid(
                "Subscription validation request failed. Notification endpoint must respond with "
                "200 OK to validation request."
            ) from error


def subscription_resource(subscription: Subscription) -> dict[str, Any]:
    return {
        "id": subscription.id,
        "resource": subscription.resource,
        "applicationId": subscription.application_id,
        "changeType": ",".join(sorted(subscription.change_types)),
        "clientState": subscription.client_state,
        "notificationUrl": subscription.notification_url,
        "notificationQueryOptions": None,
        "lifecycleNotificationUrl": subscription.lifecycle_notification_url,
        "expirationDateTime": graph_datetime(subscription.expiration),
        "creatorId": subscription.creator_id,
        "includeResourceData": False,
        "latestSupportedTlsVersion": subscription.latest_supported_tls_version,
        "encryptionCertificate": None,
        "encryptionCertificateId": None,
        "notificationUrlAppId": None,
    }


async def create_subscription(request: web.Request) -> web.Response:
    tenant = request.config_dict[TENANT]
    caller = caller_of(request)
    body = await json_object(request)
    change_types = frozenset(
        t.strip() for t in str(body.get("changeType") or "").split(",") if t.strip()
    )
    if not change_types or not change_types <= CHANGE_TYPES:
        raise _invalid("changeType must be a comma-separated list of created, updated, deleted.")
    if body.get("includeResourceData"):
        raise bad_request("includeResourceData is not emulated by the sandbox.")
    resource = str(body.get("resource") or "")
    artefact = ARTEFACT_RESOURCES.get(resource.strip("/").lower())
    if artefact is not None:
        return await _create_artefact_subscription(request, body, change_types, artefact)
    if not caller.roles & MAIL_ROLES:
        raise GraphError(403, DENIAL.code, DENIAL.message)
    match = MESSAGES_RESOURCE.match(resource)
    if match is None:
        raise _invalid(f"The sandbox does not support subscriptions to '{resource}'.")
    owner = scoped_mailbox_owner(request, match["user"])
    folder = None
    folder_reference = match["quoted"] or match["plain"]
    if folder_reference is not None:
        folder = tenant.mail.mailbox(owner).resolve_folder(folder_reference)
        if folder is None:
            raise _invalid(f"The folder in '{resource}' was not found.")
    client_state = body.get("clientState")
    if client_state is not None and (not isinstance(client_state, str) or len(client_state) > 128):
        raise _invalid("clientState must be a string of at most 128 characters.")
    notification_url = _notification_url(body.get("notificationUrl"), "notificationUrl")
    lifecycle_url = body.get("lifecycleNotificationUrl")
    if lifecycle_url is not None:
        lifecycle_url = _notification_url(lifecycle_url, "lifecycleNotificationUrl")
    expiration = _expiration(request, body.get("expirationDateTime"))
    await _handshake(request, notification_url, lifecycle_url)
    subscription = Subscription(
        id=new_guid(),
        application_id=caller.app.client_id,
        creator_id=caller.app.service_principal_id,
        resource=resource,
        change_types=change_types,
        notification_url=notification_url,
        lifecycle_notification_url=lifecycle_url,
        client_state=client_state,
        expiration=expiration,
        latest_supported_tls_version=str(body.get("latestSupportedTlsVersion") or "v1_2"),
        mailbox_owner_id=owner.object_id,
        folder=folder,
    )
    tenant.subscriptions.add(subscription)
    return web.json_response(subscription_resource(subscription), status=201)


async def _create_artefact_subscription(
    request: web.Request,
    body: dict[str, Any],
    change_types: frozenset[str],
    artefact: tuple[str, frozenset[str]],
) -> web.Response:
    tenant = request.config_dict[TENANT]
    caller = caller_of(request)
    kind, roles = artefact
    if not caller.roles & roles:
        raise GraphError(403, "Forbidden", "Operation: Create; the app lacks " + ", ".join(roles))
    client_state = body.get("clientState")
    if client_state is not None and (not isinstance(client_state, str) or len(client_state) > 128):
        raise _invalid("clientState must be a string of at most 128 characters.")
    notification_url = _notification_url(body.get("notificationUrl"), "notificationUrl")
    lifecycle_url = body.get("lifecycleNotificationUrl")
    if lifecycle_url is not None:
        lifecycle_url = _notification_url(lifecycle_url, "lifecycleNotificationUrl")
    expiration = _expiration(request, body.get("expirationDateTime"), ARTEFACT_MAX_LIFETIME)
    if lifecycle_url is None and expiration > tenant.now() + LIFECYCLE_URL_REQUIRED_AFTER:
        raise _invalid(
            "lifecycleNotificationUrl is required for subscription creation on this resource"
            " when the expirationDateTime value exceeds 1 hour."
        )
    await _handshake(request, notification_url, lifecycle_url)
    subscription = Subscription(
        id=new_guid(),
        application_id=caller.app.client_id,
        creator_id=caller.app.service_principal_id,
        resource=str(body["resource"]),
        change_types=change_types,
        notification_url=notification_url,
        lifecycle_notification_url=lifecycle_url,
        client_state=client_state,
        expiration=expiration,
        latest_supported_tls_version=str(body.get("latestSupportedTlsVersion") or "v1_2"),
        mailbox_owner_id="",
        folder=None,
        artefact_kind=kind,
    )
    tenant.subscriptions.add(subscription)
    return web.json_response(subscription_resource(subscription), status=201)


def _own_subscription(request: web.Request) -> Subscription:
    tenant = request.config_dict[TENANT]
    subscription = tenant.subscriptions.live(request.match_info["subscription"], tenant.now())
    if subscription is None or subscription.application_id != caller_of(request).app.client_id:
        raise GraphError(404, "ResourceNotFound", "The object was not found.")
    return subscription


async def list_subscriptions(request: web.Request) -> web.Response:
    tenant = request.config_dict[TENANT]
    mine = tenant.subscriptions.live_for_app(caller_of(request).app.client_id, tenant.now())
    return web.json_response({"value": [subscription_resource(s) for s in mine]})


async def get_subscription(request: web.Request) -> web.Response:
    return web.json_response(subscription_resource(_own_subscription(request)))


async def update_subscription(request: web.Request) -> web.Response:
    subscription = _own_subscription(request)
    body = {k: v for k, v in (await json_object(request)).items() if k != "@odata.type"}
    unknown = set(body) - {"expirationDateTime", "notificationUrl"}
    if unknown:
        raise _invalid(
            f"Only expirationDateTime and notificationUrl can be updated, not {sorted(unknown)}."
        )
    limit = MAX_LIFETIME if subscription.artefact_kind is None else ARTEFACT_MAX_LIFETIME
    expiration = (
        _expiration(request, body["expirationDateTime"], limit)
        if "expirationDateTime" in body
        else subscription.expiration
    )
    notification_url = subscription.notification_url
    if "notificationUrl" in body:
        notification_url = _notification_url(body["notificationUrl"], "notificationUrl")
        await _handshake(request, notification_url)
    subscription.expiration = expiration
    subscription.notification_url = notification_url
    return web.json_response(subscription_resource(subscription))


async def delete_subscription(request: web.Request) -> web.Response:
    subscription = _own_subscription(request)
    request.config_dict[TENANT].subscriptions.remove(subscription.id)
    return web.Response(status=204)


def add_subscription_routes(graph: GraphRouter) -> None:
    graph.add("POST", "/subscriptions", create_subscription, roles=ROLES, denial=DENIAL)
    graph.add("GET", "/subscriptions", list_subscriptions, roles=ROLES, denial=DENIAL)
    graph.add("GET", "/subscriptions/{subscription}", get_subscription, roles=ROLES, denial=DENIAL)
    graph.add(
        "PATCH", "/subscriptions/{subscription}", update_subscription, roles=ROLES, denial=DENIAL
    )
    graph.add(
        "DELETE", "/subscriptions/{subscription}", delete_subscription, roles=ROLES, denial=DENIAL
    )
