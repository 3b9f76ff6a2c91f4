"""Requests for information for legal reasons (issue 17): the request as logged, decided,
answered and sent, and the meetings it concerns (`consent_store.legal_requests`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from consent_store.tables.base import Base, UtcDateTime


class LegalRequestRow(Base):
    """A request for information for legal reasons from a local authority officer (issue 17),
    as staff logged it and the service manager decided it. Who asked, their address and the
    legal basis are sealed; `attendee_id` is the service user whose permission is asked (the
    same person, by email address, invited to every meeting the request concerns). Their answer
    is kept with its evidence (their deciding words sealed), as is the manager's safeguarding
    reason for sending without permission; of the extract sent, only its SHA-256, when and its
    Message-ID. Whoever sends the extract claims it first (`extract_claimed_by`, until
    `extract_claimed_until`), so it is sent once however many senders race. `disposed_at`: when
    its personal fields went, with the last of its meetings, under the retention schedule."""

    __tablename__ = "legal_requests"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    logged_at: Mapped[datetime] = mapped_column(UtcDateTime)
    logged_by: Mapped[str] = mapped_column(String(64))
    officer_name_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    officer_email_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    basis_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    attendee_id: Mapped[str] = mapped_column(ForeignKey("attendees.id"), index=True)
    status: Mapped[str] = mapped_column(String(24))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    request_message_id: Mapped[str | None] = mapped_column(String(998))
    request_sha256: Mapped[str | None] = mapped_column(String(64))
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    answered_by: Mapped[str | None] = mapped_column(String(64))
    answer_auth: Mapped[str | None] = mapped_column(String(8))
    answer_sender_matches: Mapped[bool | None] = mapped_column(Boolean)
    answer_message_id: Mapped[str | None] = mapped_column(String(998))
    answer_email_sha256: Mapped[str | None] = mapped_column(String(64))
    answer_phrase_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    safeguarding_reason_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    safeguarding_by: Mapped[str | None] = mapped_column(String(64))
    safeguarding_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    extract_sha256: Mapped[str | None] = mapped_column(String(64))
    extract_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    extract_message_id: Mapped[str | None] = mapped_column(String(998))
    extract_claimed_by: Mapped[str | None] = mapped_column(String(64))
    extract_claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    disposed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class LegalRequestMeetingRow(Base):
    """A meeting a legal request concerns: only these meetings' decisions and notes could be
    extracted."""

    __tablename__ = "legal_request_meetings"

    request_id: Mapped[str] = mapped_column(ForeignKey("legal_requests.id"), primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
