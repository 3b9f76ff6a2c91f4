"""The evidence for consent: each request as sent (which text the person was shown), each
decision with the email it came from, and the emails a person must read before they count
(the review queue). `consent_store.consent_evidence` and `consent_store.review_items` use them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from consent_store.tables.base import Base, UtcDateTime


class ConsentRequestRow(Base):
    """A consent request email as sent: which text (version and hash) the person was shown."""

    __tablename__ = "consent_requests"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    attendee_id: Mapped[str] = mapped_column(ForeignKey("attendees.id"), index=True)
    message_id: Mapped[str] = mapped_column(String(998), unique=True)
    template_version: Mapped[str] = mapped_column(String(64))
    text_sha256: Mapped[str] = mapped_column(String(64))
    topics: Mapped[list[str]] = mapped_column(JSON)
    documents_covered: Mapped[list[str]] = mapped_column(JSON)
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime)
    text_enc: Mapped[bytes | None] = mapped_column(LargeBinary)


class ConsentDecisionRow(Base):
    """One decision on one topic, with the evidence for it."""

    __tablename__ = "consent_decisions"
    __table_args__ = (Index("ix_decisions_meeting_received", "meeting_id", "received_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"))
    attendee_id: Mapped[str] = mapped_column(ForeignKey("attendees.id"), index=True)
    topic: Mapped[str] = mapped_column(String(16))
    decision: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    message_id: Mapped[str | None] = mapped_column(String(998))
    sender_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    sender_index: Mapped[str | None] = mapped_column(String(64), index=True)
    auth_verdict: Mapped[str] = mapped_column(String(8))
    sender_matches: Mapped[bool] = mapped_column(Boolean)
    phrase_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    email_sha256: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(ForeignKey("consent_requests.id"))
    documents_covered: Mapped[list[str]] = mapped_column(JSON)
    decided_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    condition_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    review_item_id: Mapped[str | None] = mapped_column(
        ForeignKey("review_items.id", name="fk_consent_decisions_review_item_id"), index=True
    )


class ReviewItemRow(Base):
    """An email a person must read before it can count for anything."""

    __tablename__ = "review_items"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    meeting_id: Mapped[str | None] = mapped_column(ForeignKey("meetings.id"), index=True)
    message_id: Mapped[str | None] = mapped_column(String(998))
    sender_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    sender_index: Mapped[str | None] = mapped_column(String(64), index=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str] = mapped_column(String(64))
    text_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), default="open")
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    attendee_id: Mapped[str | None] = mapped_column(ForeignKey("attendees.id"))
    auth_verdict: Mapped[str] = mapped_column(String(8), default="none", server_default="none")
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    receipt_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    legal_request_id: Mapped[str | None] = mapped_column(
        ForeignKey("legal_requests.id"), index=True
    )
