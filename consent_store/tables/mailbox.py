"""Reading the consent mailbox: each email taken from it once, with what became of it (never
its content), and where reading got to (`consent_store.inbound`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from consent_store.tables.base import Base, UtcDateTime


class InboundEmailRow(Base):
    """Each email taken from the consent mailbox, once: what became of it, never its content.

    `dedupe_key` is a SHA-256 naming the email (`consent_store.inbound.email_key`): its
    Message-ID with the sender's blind index and authentication verdict, and, unless the
    sender was authenticated, which mailbox item it is; so the same email delivered twice, or
    read by two bot instances, is processed once, and no other sender's email can take its key.
    """

    __tablename__ = "inbound_emails"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(998), unique=True)
    mailbox_message_id: Mapped[str | None] = mapped_column(String(512))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    processed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    outcome: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str | None] = mapped_column(String(64))
    meeting_id: Mapped[str | None] = mapped_column(ForeignKey("meetings.id"), index=True)
    attendee_id: Mapped[str | None] = mapped_column(ForeignKey("attendees.id"))
    email_sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    receipt_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class MailboxCursorRow(Base):
    """Where reading the consent mailbox got to: the delta link and the live subscription."""

    __tablename__ = "mailbox_cursors"

    mailbox: Mapped[str] = mapped_column(String(320), primary_key=True)
    delta_link: Mapped[str | None] = mapped_column(Text)
    subscription_id: Mapped[str | None] = mapped_column(String(128))
    subscription_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    client_state: Mapped[str | None] = mapped_column(String(128))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
