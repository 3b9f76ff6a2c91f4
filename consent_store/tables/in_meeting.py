"""What the bot sees of a meeting while it runs: who is in its call or chat, the bot's own
call (with the comms notifications already handled for it) and the files posted in its chat
with the share gate's decision (`consent_store.presence`, `consent_store.calls`,
`consent_store.meetings`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from consent_store.tables.base import Base, UtcDateTime


class PresenceRow(Base):
    """Someone in a meeting's Teams call or chat roster. `participant_index` is the keyed blind
    index of their Teams id (so nobody's Teams id is stored); `attendee_id` is the invited
    attendee they were matched to, or None for someone the meeting did not invite."""

    __tablename__ = "meeting_presence"
    __table_args__ = (UniqueConstraint("meeting_id", "participant_index"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    participant_index: Mapped[str] = mapped_column(String(64))
    attendee_id: Mapped[str | None] = mapped_column(ForeignKey("attendees.id"))
    is_staff: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime)
    left_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class CallRow(Base):
    """The bot's own Graph call into a meeting. `call_id` is normalised (lower case, hyphens),
    since notifications vary its case and hyphenation. `last_roster_sha256` identifies the
    roster last handled for the call, so an equal one that follows is passed over."""

    __tablename__ = "meeting_calls"

    call_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    state: Mapped[str] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    announced_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_roster_sha256: Mapped[str | None] = mapped_column(String(64))


class CallNotificationRow(Base):
    """A comms notification already handled, by the SHA-256 of its content, so duplicates
    are ignored."""

    __tablename__ = "call_notifications"

    dedupe_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    call_id: Mapped[str | None] = mapped_column(String(64), index=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SharedFileRow(Base):
    """A file posted in a meeting's chat and what the share gate decided about it. Only what
    the decision needs is kept: the drive item's id and the file's name (encrypted)."""

    __tablename__ = "shared_files"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    drive_item_id: Mapped[str] = mapped_column(String(256))
    name_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    document_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id"))
    outcome: Mapped[str] = mapped_column(String(16))
    posted_at: Mapped[datetime] = mapped_column(UtcDateTime)
