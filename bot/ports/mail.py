"""The consent mailbox: the email the use cases send from it, and what they read of it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.ports.directory import Directory


@dataclass(frozen=True)
class FileAttachment:
    """A file sent with an email: its name, MIME type and bytes."""

    name: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class OutgoingEmail:
    """An email from the consent mailbox: to one address, with any `cc` in copy (every
    recipient sees the others' addresses)."""

    to: str
    subject: str
    text: str
    html: str
    internet_message_id: str | None = None
    attachments: tuple[FileAttachment, ...] = ()
    cc: tuple[str, ...] = ()


class MailSender(Protocol):
    """Sending email from the consent mailbox."""

    async def send(self, email: OutgoingEmail) -> None: ...


class StaffMail(MailSender, Protocol):
    """The consent mailbox writing to staff: who they are, and sending to them."""

    @property
    def directory(self) -> Directory: ...


class Mailbox(StaffMail, Protocol):
    """The consent mailbox as the consent and meeting use cases use it: sending, the staff
    directory, its own `address` (whose domain names the Message-IDs it writes) and
    `meeting_pages`, the staff pages' address a meeting's reference follows in the links it
    writes to staff (empty when there is none to give)."""

    @property
    def address(self) -> str: ...

    @property
    def meeting_pages(self) -> str: ...
