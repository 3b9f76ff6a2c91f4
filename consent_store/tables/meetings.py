"""A meeting as staff arranged it: the meeting itself (its Teams meeting, the gate's standing,
its recording outcome, the service user's needs), who is invited and the documents proposed.

The other tables hang off these rows; `consent_store.meetings` reads and writes them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from consent_store.tables.base import Base, UtcDateTime


class MeetingRow(Base):
    __tablename__ = "meetings"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    reference: Mapped[str] = mapped_column(String(13), unique=True)
    title_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    organiser_user_id: Mapped[str] = mapped_column(String(64))
    declared_role: Mapped[str] = mapped_column(String(32))
    recording_requested: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    teams_meeting_id: Mapped[str | None] = mapped_column(String(512), index=True)
    teams_join_url: Mapped[str | None] = mapped_column(Text)
    teams_chat_thread_id: Mapped[str | None] = mapped_column(String(256), index=True)
    recording_outcome: Mapped[str | None] = mapped_column(String(16))
    safeguarding_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    disposed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    teams_recording_allowed: Mapped[bool | None] = mapped_column(Boolean)
    needs_attention: Mapped[str | None] = mapped_column(String(64))
    staff_name_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    teams_service_url: Mapped[str | None] = mapped_column(String(512))
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    recording_closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    recording_closed_reasons: Mapped[str | None] = mapped_column(String(512))
    """The recording gate's blocker codes when it closed for the meeting, comma-separated."""
    teams_event_id: Mapped[str | None] = mapped_column(String(512))
    teams_settings_confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    watched_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    sight_lost_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    needs_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    """The service user's individual needs (`consent_store.needs`), sealed as JSON."""


class AttendeeRow(Base):
    __tablename__ = "attendees"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    name_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    email_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    email_index: Mapped[str | None] = mapped_column(String(64), index=True)
    organisation_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    removed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class DocumentRow(Base):
    __tablename__ = "documents"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    url_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    listed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
