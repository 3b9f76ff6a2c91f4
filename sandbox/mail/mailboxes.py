"""Mailboxes and delivery. Tenant users have Exchange mailboxes with folders, seen through
Graph; outside people have a plain inbox the sandbox shows them. Every message is kept as
RFC 5322 bytes; arrivals in tenant mailboxes are announced to listeners (change
notifications), each with a per-mailbox sequence number (delta tokens)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import SMTP, compat32
from email.policy import default as default_policy
from typing import Any, cast

from sandbox.clock import Clock
from sandbox.directory import Directory, TenantUser
from sandbox.ids import exchange_item_id, exchange_message_id, new_guid, urlsafe_token
from sandbox.mail.authentication import internal_headers
from sandbox.mail.composer import OutgoingMail, compose_sent_mail
from sandbox.mail.decoding import MIME_FAILURES, header_text

WELL_KNOWN_FOLDERS = ("inbox", "sentitems", "drafts", "deleteditems")

Header = tuple[str, str]


def parse_message(mime: bytes) -> EmailMessage:
    """The message as the email package reads it; one whose headers its parser fails on is
    read with every header left as written (compat32), so it can still be shown."""
    try:
        return BytesParser(policy=default_policy).parsebytes(mime)
    except MIME_FAILURES:
        return cast(EmailMessage, BytesParser(EmailMessage, policy=compat32).parsebytes(mime))


def to_bytes(message: EmailMessage) -> bytes:
    return message.as_bytes(policy=SMTP)


def with_headers_on_top(mime: bytes, headers: Iterable[Header]) -> bytes:
    """`mime` with `headers` prepended, as a receiving server adds trace headers."""
    return b"".join(SMTP.fold_binary(name, value) for name, value in headers) + mime


@dataclass
class StoredMessage:
    """A message in a tenant mailbox folder."""

    id: str
    folder: str
    mime: bytes
    received_at: datetime
    sequence: int
    conversation_id: str
    change_key: str
    is_read: bool = False
    content_views: dict[bool, dict[str, Any]] = field(
        default_factory=dict, repr=False, compare=False
    )
    """Graph properties drawn from the (immutable) MIME, by body preference; see graph_view."""

    def parsed(self) -> EmailMessage:
        return parse_message(self.mime)


@dataclass(frozen=True)
class OutsideMessage:
    """A message in an outside person's inbox."""

    id: str
    mime: bytes
    received_at: datetime

    def parsed(self) -> EmailMessage:
        return parse_message(self.mime)


class Mailbox:
    """A tenant user's Exchange mailbox."""

    def __init__(self, owner: TenantUser) -> None:
        self.owner = owner
        self.folder_ids = {name: exchange_item_id("AAMkAD") for name in WELL_KNOWN_FOLDERS}
        self._messages: dict[str, StoredMessage] = {}

    def resolve_folder(self, reference: str) -> str | None:
        """The well-known name of the folder a Graph path names by well-known name or id."""
        if reference.lower() in self.folder_ids:
            return reference.lower()
        return next((n for n, i in self.folder_ids.items() if i == reference), None)

    def messages_in(self, folder: str | None) -> list[StoredMessage]:
        """Messages in one folder, or in all folders when `folder` is None, oldest first."""
        return [m for m in self._messages.values() if folder is None or m.folder == folder]

    def message(self, message_id: str) -> StoredMessage | None:
        return self._messages.get(message_id)

    def add(self, message: StoredMessage) -> None:
        self._messages[message.id] = message


@dataclass
class OutsideMailbox:
    address: str
    messages: list[OutsideMessage]

    def message(self, message_id: str) -> OutsideMessage | None:
        return next((m for m in self.messages if m.id == message_id), None)


@dataclass(frozen=True)
class Arrival:
    """A message that has just arrived in a tenant mailbox."""

    mailbox: Mailbox
    message: StoredMessage


ArrivalListener = Callable[[Arrival], None]


class MailSystem:
    """All mailboxes, and the one way mail moves between them."""

    def __init__(self, directory: Directory, clock: Clock, tenant_domain: str) -> None:
        self._directory = directory
        self._clock = clock
        self._tenant_domain = tenant_domain
        self._sequence = itertools.count(1)
        self._mailboxes: dict[str, Mailbox] = {}
        self._outside: dict[str, OutsideMailbox] = {}
        self._conversation_by_message_id: dict[str, str] = {}
        self._listeners: list[ArrivalListener] = []

    def add_listener(self, listener: ArrivalListener) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: ArrivalListener) -> None:
        self._listeners.remove(listener)

    def mailbox(self, user: TenantUser) -> Mailbox:
        if user.object_id not in self._mailboxes:
            self._mailboxes[user.object_id] = Mailbox(user)
        return self._mailboxes[user.object_id]

    def outside_mailbox(self, address: str) -> OutsideMailbox:
        key = address.lower()
        if key not in self._outside:
            self._outside[key] = OutsideMailbox(address, [])
        return self._outside[key]

    def send_as_user(self, sender: TenantUser, mail: OutgoingMail, *, save_to_sent: bool) -> str:
        """Send as Exchange does for Graph's sendMail; returns the new Message-ID."""
        message_id = exchange_message_id()
        message = compose_sent_mail(mail, message_id=message_id, sent_at=self._clock())
        if save_to_sent:
            self._store(self.mailbox(sender), "sentitems", to_bytes(message), message)
        self.deliver(message, mail.envelope_recipients, internal_headers(self._tenant_domain))
        return message_id

    def deliver(
        self, message: EmailMessage, recipients: Sequence[str], stamp: Sequence[Header]
    ) -> None:
        """Deliver to each envelope recipient. Tenant mailboxes get `stamp` headers on top
        (what the tenant's mail servers add) and announce the arrival; anyone else gets the
        message as sent."""
        self._deliver(to_bytes(message), message, recipients, stamp)

    def deliver_mime(self, mime: bytes, recipients: Sequence[str], stamp: Sequence[Header]) -> None:
        """Deliver RFC 5322 bytes as they are, however malformed, as a mail server accepts
        them (see `deliver`)."""
        self._deliver(mime, parse_message(mime), recipients, stamp)

    def _deliver(
        self,
        mime: bytes,
        message: EmailMessage,
        recipients: Sequence[str],
        stamp: Sequence[Header],
    ) -> None:
        arrivals: list[Arrival] = []
        for address in dict.fromkeys(r.lower() for r in recipients):
            user = self._directory.user_by_address(address)
            if user is None:
                outside = self.outside_mailbox(address)
                outside.messages.append(OutsideMessage(new_guid(), mime, self._clock()))
                continue
            mailbox = self.mailbox(user)
            stored = self._store(mailbox, "inbox", with_headers_on_top(mime, stamp), message)
            arrivals.append(Arrival(mailbox, stored))
        for arrival in arrivals:
            for listener in list(self._listeners):
                listener(arrival)

    def _store(
        self, mailbox: Mailbox, folder: str, mime: bytes, message: EmailMessage
    ) -> StoredMessage:
        stored = StoredMessage(
            id=exchange_item_id("AAMkAD"),
            folder=folder,
            mime=mime,
            received_at=self._clock(),
            sequence=next(self._sequence),
            conversation_id=self._conversation_of(message),
            change_key="CQAAABYAAA" + urlsafe_token(18),
        )
        mailbox.add(stored)
        return stored

    def _conversation_of(self, message: EmailMessage) -> str:
        """The conversation a message joins: that of a message it answers, else a new one."""
        own_id = header_text(message, "Message-ID").strip()
        answered = [
            *header_text(message, "In-Reply-To").split(),
            *header_text(message, "References").split(),
        ]
        known = [self._conversation_by_message_id.get(i) for i in (*answered, own_id)]
        conversation = next((c for c in known if c), None) or "AAQkAD" + urlsafe_token(48)
        if own_id:
            self._conversation_by_message_id[own_id] = conversation
        return conversation
