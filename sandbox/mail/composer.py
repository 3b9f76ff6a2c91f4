"""RFC 5322 messages: what Exchange sends for a Graph sendMail, and what an outside person's
mail program sends when they reply (In-Reply-To, References, "RE:" subject, optional quote)
or write afresh."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime, formataddr, getaddresses

from sandbox.mail.decoding import MIME_FAILURES, part_text
from sandbox.mail.html_text import html_to_text


@dataclass(frozen=True, slots=True)
class Party:
    """A mail address with its display name."""

    name: str
    address: str

    @property
    def header_value(self) -> str:
        return formataddr((self.name, self.address)) if self.name else self.address

    @property
    def domain(self) -> str:
        return self.address.rsplit("@", 1)[-1].lower()


@dataclass(frozen=True, slots=True)
class Attachment:
    name: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class OutgoingMail:
    """A message as Graph's sendMail describes it."""

    sender: Party
    subject: str
    body: str
    body_is_html: bool
    to: tuple[Party, ...] = ()
    cc: tuple[Party, ...] = ()
    bcc: tuple[Party, ...] = ()
    reply_to: tuple[Party, ...] = ()
    extra_headers: tuple[tuple[str, str], ...] = ()
    attachments: tuple[Attachment, ...] = ()

    @property
    def envelope_recipients(self) -> list[str]:
        return [party.address for party in (*self.to, *self.cc, *self.bcc)]


def _new_message(sender: Party, subject: str, message_id: str, sent_at: datetime) -> EmailMessage:
    message = EmailMessage(policy=default_policy)
    message["From"] = sender.header_value
    message["Subject"] = subject
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = message_id
    return message


def compose_sent_mail(mail: OutgoingMail, *, message_id: str, sent_at: datetime) -> EmailMessage:
    """The MIME message Exchange Online builds from a sendMail request (Bcc not in headers;
    an HTML body gets a text/plain alternative)."""
    message = _new_message(mail.sender, mail.subject, message_id, sent_at)
    if mail.to:
        message["To"] = ", ".join(party.header_value for party in mail.to)
    if mail.cc:
        message["Cc"] = ", ".join(party.header_value for party in mail.cc)
    if mail.reply_to:
        message["Reply-To"] = ", ".join(party.header_value for party in mail.reply_to)
    message["X-MS-Has-Attach"] = "yes" if mail.attachments else ""
    for name, value in mail.extra_headers:
        message[name] = value
    if mail.body_is_html:
        message.set_content(html_to_text(mail.body))
        message.add_alternative(mail.body, subtype="html")
    else:
        message.set_content(mail.body)
    message["Content-Language"] = "en-GB"
    for attachment in mail.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(
            attachment.content,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=attachment.name,
        )
    return message


def plain_text(message: EmailMessage) -> str:
    """The message's text (with `\n` line ends): its text/plain part, else its HTML part
    as text; none when its MIME structure cannot be read."""
    try:
        part = message.get_body(preferencelist=("plain", "html"))
    except MIME_FAILURES:
        return ""
    if not isinstance(part, EmailMessage):
        return ""
    text = part_text(part).replace("\r\n", "\n")
    return text if part.get_content_subtype() == "plain" else html_to_text(text)


def reply_target(original: EmailMessage) -> Party:
    """Where a reply goes: the first Reply-To address, else the From address."""
    header = original.get("Reply-To") or original.get("From") or ""
    addresses = getaddresses([str(header)])
    if not addresses or not addresses[0][1]:
        raise ValueError("the original message has no From or Reply-To address")
    name, address = addresses[0]
    return Party(name, address)


def compose_reply(
    original: EmailMessage,
    replier: Party,
    text: str,
    *,
    quote_original: bool,
    message_id: str,
    sent_at: datetime,
) -> EmailMessage:
    """A plain-text reply as a typical mail program writes it."""
    subject = str(original.get("Subject", ""))
    if not subject.lower().startswith("re:"):
        subject = f"RE: {subject}"
    message = _new_message(replier, subject, message_id, sent_at)
    message["To"] = reply_target(original).header_value
    original_id = str(original.get("Message-ID", "")).strip()
    if original_id:
        earlier = str(original.get("References", "")).split()
        message["In-Reply-To"] = original_id
        message["References"] = " ".join([*earlier, original_id])
    body = text
    if quote_original:
        sender = str(original.get("From", ""))
        when = str(original.get("Date", ""))
        quoted = "\n".join(
            f"> {line}" if line else ">" for line in plain_text(original).splitlines()
        )
        body = f"{text}\n\nOn {when}, {sender} wrote:\n{quoted}\n"
    message.set_content(body)
    return message


def compose_new(
    sender: Party, to: Party, subject: str, text: str, *, message_id: str, sent_at: datetime
) -> EmailMessage:
    """A fresh plain-text message, not a reply to anything."""
    message = _new_message(sender, subject, message_id, sent_at)
    message["To"] = to.header_value
    message.set_content(text)
    return message
