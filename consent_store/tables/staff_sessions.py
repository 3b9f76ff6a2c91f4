"""Staff signed in to the staff pages (`consent_store.staff_sessions`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import false

from consent_store.tables.base import Base, UtcDateTime


class StaffSessionRow(Base):
    """A staff member signed in to the staff pages. `id` is a keyed hash of the random id the
    session cookie carries, so the table alone lets no one present a session; `object_id` is
    the staff member's directory object id. The display name and the session's CSRF token are
    sealed. The row goes at sign-out, or once the session has lapsed (idle since
    `last_seen_at`, or too long since `created_at`)."""

    __tablename__ = "staff_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    object_id: Mapped[str] = mapped_column(String(64))
    display_name_enc: Mapped[bytes] = mapped_column(LargeBinary)
    csrf_token_enc: Mapped[bytes] = mapped_column(LargeBinary)
    in_teams: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    is_manager: Mapped[bool] = mapped_column(Boolean, server_default=false())
