"""Graph `POST /users/{id}/sendMail`: Exchange builds the MIME message, keeps a copy in Sent
Items (unless `saveToSentItems` is false) and delivers it to every recipient."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from aiohttp import web

from sandbox.app_keys import TENANT
from sandbox.graph.errors import GraphError, bad_request
from sandbox.graph.mailbox_access import MAIL_DENIAL, scoped_mailbox_owner
from sandbox.graph.odata import json_object, lower_keys
from sandbox.graph.protection import GraphRouter
from sandbox.mail.composer import Attachment, OutgoingMail, Party

SEND_ROLES = frozenset({"Mail.Send"})


def _object(value: object, name: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise bad_request(f"Invalid value for '{name}'.")
    return value


def _objects(value: object, name: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise bad_request(f"Invalid value for '{name}'.")
    return [_object(item, name) for item in value]


def _parties(message: dict[str, Any], name: str) -> tuple[Party, ...]:
    parties = []
    for recipient in _objects(message.get(name), name):
        email = _object(recipient.get("emailAddress"), "emailAddress")
        address = email.get("address")
        if not isinstance(address, str) or "@" not in address:
            raise GraphError(400, "ErrorInvalidRecipients", "At least one recipient is not valid.")
        parties.append(Party(str(email.get("name") or ""), address))
    return tuple(parties)


def _extra_headers(message: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    headers = []
    for header in _objects(message.get("internetMessageHeaders"), "internetMessageHeaders"):
        name = str(header.get("name", ""))
        if not name.lower().startswith("x-"):
            raise GraphError(
                400,
                "InvalidInternetMessageHeader",
                f"The internet message header name '{name}' should start with 'x-' or 'X-'.",
            )
        headers.append((name, str(header.get("value", ""))))
    return tuple(headers)


def _attachments(message: dict[str, Any]) -> tuple[Attachment, ...]:
    attachments = []
    for raw in _objects(message.get("attachments"), "attachments"):
        if str(raw.get("@odata.type", "")).lower() != "#microsoft.graph.fileattachment":
            raise bad_request("Only file attachments are supported by the sandbox.")
        try:
            content = base64.b64decode(str(raw.get("contentBytes", "")), validate=True)
        except binascii.Error as error:
            raise bad_request("Invalid contentBytes in attachment.") from error
        attachments.append(
            Attachment(
                name=str(raw.get("name") or "attachment"),
                content_type=str(raw.get("contentType") or "application/octet-stream"),
                content=content,
            )
        )
    return tuple(attachments)


def outgoing_mail(sender: Party, message: dict[str, Any]) -> OutgoingMail:
    body = _object(message.get("body"), "body")
    mail = OutgoingMail(
        sender=sender,
        subject=str(message.get("subject") or ""),
        body=str(body.get("content") or ""),
        body_is_html=str(body.get("contentType") or "text").lower() == "html",
        to=_parties(message, "toRecipients"),
        cc=_parties(message, "ccRecipients"),
        bcc=_parties(message, "bccRecipients"),
        reply_to=_parties(message, "replyTo"),
        extra_headers=_extra_headers(message),
        attachments=_attachments(message),
    )
    if not mail.envelope_recipients:
        raise GraphError(
            400,
            "ErrorInvalidRecipients",
            "At least one recipient is not valid., Recipient is missing.",
        )
    return mail


async def send_mail(request: web.Request) -> web.Response:
    tenant = request.config_dict[TENANT]
    sender = scoped_mailbox_owner(request, request.match_info["user"])
    parameters = lower_keys(await json_object(request))
    message = parameters.get("message")
    if not isinstance(message, dict):
        raise bad_request("The 'message' parameter is required.")
    save_to_sent = parameters.get("savetosentitems", True)
    if not isinstance(save_to_sent, bool):
        raise bad_request("Invalid value for 'saveToSentItems'.")
    mail = outgoing_mail(Party(sender.display_name, sender.mail), message)
    tenant.mail.send_as_user(sender, mail, save_to_sent=save_to_sent)
    return web.Response(status=202)


def add_send_mail_routes(graph: GraphRouter) -> None:
    graph.add("POST", "/users/{user}/sendMail", send_mail, roles=SEND_ROLES, denial=MAIL_DENIAL)
