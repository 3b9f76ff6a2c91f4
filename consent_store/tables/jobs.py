"""Timed work, claimed under a lease so one instance runs each due job
(`consent_store.jobs`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from consent_store.tables.base import Base, UtcDateTime


class JobRow(Base):
    """Timed work (reminders, freezing decisions at the start, joining, disposal).

    A job is claimed with a lease before it runs, so with several bot instances on one
    database each due job is run by one of them; a crashed claimant's lease runs out and the
    job is claimed again. `key` makes scheduling the same job twice a no-op.
    """

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_due", "done_at", "due_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    meeting_id: Mapped[str | None] = mapped_column(ForeignKey("meetings.id"), index=True)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(String(200))
