"""How Graph shows a stored message: the `microsoft.graph.message` properties derived from
its RFC 5322 form. `internetMessageHeaders` exists only when `$select`ed, as in Graph."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any
from urllib.parse import quote

from sandbox.graph_time import graph_datetime_seconds
from sandbox.mail.decoding import (
    MIME_FAILURES,
    header,
    header_items,
    header_text,
    part_text,
    raw_body_text,
    readable,
)
from sandbox.mail.html_text import html_to_text
from sandbox.mail.mailboxes import Mailbox, StoredMessage

SELECTABLE_PROPERTIES = (
    "id",
    "createdDateTime",
    "lastModifiedDateTime",
    "changeKey",
    "categories",
    "receivedDateTime",
    "sentDateTime",
    "hasAttachments",
    "internetMessageId",
    "subject",
    "bodyPreview",
    "importance",
    "parentFolderId",
    "conversationId",
    "isDeliveryReceiptRequested",
    "isReadReceiptRequested",
    "isRead",
    "isDraft",
    "webLink",
    "inferenceClassification",
    "body",
    "sender",
    "from",
    "toRecipients",
    "ccRecipients",
    "bccRecipients",
    "replyTo",
    "flag",
    "internetMessageHeaders",
)
SELECT_ONLY_PROPERTIES = frozenset({"internetMessageHeaders"})
DEFAULT_PROPERTIES = tuple(p for p in SELECTABLE_PROPERTIES if p not in SELECT_ONLY_PROPERTIES)


def _recipients(message: EmailMessage, header_name: str) -> list[dict[str, Any]]:
    addresses = getattr(header(message, header_name), "addresses", ())
    return [
        {
            "emailAddress": {
                "name": readable(a.display_name or a.addr_spec),
                "address": readable(a.addr_spec),
            }
        }
        for a in addresses
    ]


def _body(stored: StoredMessage, message: EmailMessage, prefer_text: bool) -> tuple[str, str]:
    """(contentType, content): the HTML part unless text is preferred or there is none; the
    raw body as text when the MIME structure cannot be read."""
    preference = ("plain", "html") if prefer_text else ("html", "plain")
    try:
        part = message.get_body(preferencelist=preference)
    except MIME_FAILURES:
        return "text", raw_body_text(stored.mime)
    if not isinstance(part, EmailMessage):
        return "text", ""
    text = part_text(part)
    if part.get_content_subtype() == "html":
        return ("text", html_to_text(text)) if prefer_text else ("html", text)
    return "text", text


def _has_attachments(message: EmailMessage) -> bool:
    """Whether any part is an attachment; False when the MIME structure cannot be read."""
    try:
        return any(True for _ in message.iter_attachments())
    except MIME_FAILURES:
        return False


def _content_properties(stored: StoredMessage, prefer_text: bool) -> dict[str, Any]:
    """The properties that come from the MIME, worked out once per message and preference:
    stored mail never changes, and parsing it is most of the cost of a Graph read."""
    cached = stored.content_views.get(prefer_text)
    if cached is not None:
        return cached
    message = stored.parsed()
    content_type, content = _body(stored, message, prefer_text)
    preview_source = content if content_type == "text" else html_to_text(content)
    author = _recipients(message, "From")
    sender = _recipients(message, "Sender") or author
    sent_at = getattr(header(message, "Date"), "datetime", None)
    view = {
        "sentDateTime": graph_datetime_seconds(sent_at) if sent_at else None,
        "hasAttachments": _has_attachments(message),
        "internetMessageId": header_text(message, "Message-ID"),
        "subject": header_text(message, "Subject"),
        "bodyPreview": " ".join(preview_source.split())[:255],
        "body": {"contentType": content_type, "content": content},
        "sender": sender[0] if sender else None,
        "from": author[0] if author else None,
        "toRecipients": _recipients(message, "To"),
        "ccRecipients": _recipients(message, "Cc"),
        "replyTo": _recipients(message, "Reply-To"),
        "internetMessageHeaders": [
            {"name": name, "value": value} for name, value in header_items(message)
        ],
    }
    stored.content_views[prefer_text] = view
    return view


def message_resource(
    stored: StoredMessage, mailbox: Mailbox, *, prefer_text: bool
) -> dict[str, Any]:
    """Every property of the message, including the select-only ones."""
    content = _content_properties(stored, prefer_text)
    received = graph_datetime_seconds(stored.received_at)
    return {
        "@odata.etag": f'W/"{stored.change_key}"',
        "id": stored.id,
        "createdDateTime": received,
        "lastModifiedDateTime": received,
        "changeKey": stored.change_key,
        "categories": [],
        "receivedDateTime": received,
        "sentDateTime": content["sentDateTime"] or received,
        "hasAttachments": content["hasAttachments"],
        "internetMessageId": content["internetMessageId"],
        "subject": content["subject"],
        "bodyPreview": content["bodyPreview"],
        "importance": "normal",
        "parentFolderId": mailbox.folder_ids[stored.folder],
        "conversationId": stored.conversation_id,
        "isDeliveryReceiptRequested": False,
        "isReadReceiptRequested": False,
        "isRead": stored.is_read,
        "isDraft": False,
        "webLink": (
            "https://outlook.office365.com/owa/?ItemID="
            f"{quote(stored.id, safe='')}&exvsurl=1&viewmodel=ReadMessageItem"
        ),
        "inferenceClassification": "focused",
        "body": content["body"],
        "sender": content["sender"],
        "from": content["from"],
        "toRecipients": content["toRecipients"],
        "ccRecipients": content["ccRecipients"],
        "bccRecipients": [],
        "replyTo": content["replyTo"],
        "flag": {"flagStatus": "notFlagged"},
        "internetMessageHeaders": content["internetMessageHeaders"],
    }
