"""The recording backstop's tables: the recordings and transcripts found in Microsoft 365, with
the gate's answer and what staff did about one made without consent, and the Graph
subscriptions that tell the bot of new ones (`consent_store.recording_artefacts`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from consent_store.tables.base import Base, UtcDateTime


class RecordingArtefactRow(Base):
    """A recording or transcript of a meeting found in Microsoft 365 (by a change notification
    or the check after the meeting), once each by its Graph id. Ids and times only, and
    whether the gate permitted it (`reasons`: the codes of why not). One not permitted shows on
    the meeting page until staff record what was done with it (`resolution_enc`, sealed, as
    staff may write a name); the bot never deletes it."""

    __tablename__ = "recording_artefacts"
    __table_args__ = (UniqueConstraint("meeting_id", "kind", "graph_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    graph_id: Mapped[str] = mapped_column(String(512))
    created_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    found_at: Mapped[datetime] = mapped_column(UtcDateTime)
    found_by: Mapped[str] = mapped_column(String(16))
    permitted: Mapped[bool] = mapped_column(Boolean)
    reasons: Mapped[str] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolution_enc: Mapped[bytes | None] = mapped_column(LargeBinary)


class GraphSubscriptionRow(Base):
    """A Graph change-notification subscription the bot keeps (other than the consent
    mailbox's, kept with its cursor), by the resource it watches."""

    __tablename__ = "graph_subscriptions"

    resource: Mapped[str] = mapped_column(String(200), primary_key=True)
    subscription_id: Mapped[str] = mapped_column(String(128))
    client_state: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
