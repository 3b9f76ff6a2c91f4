"""Staff sessions (`staff_sessions`): who is signed in to the staff pages, found by the keyed
hash of the id their cookie carries. Whether a session is still good is the web layer's rule;
this module stores, finds, touches and removes rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, update
from sqlalchemy.exc import SQLAlchemyError

from consent_store.tables import StaffSessionRow
from consent_store.unit_of_work import UnitOfWork, seal_context

TABLE = "staff_sessions"

STORE_FAILURES = (SQLAlchemyError, OSError)
"""What reaching the store for a session can raise when the database is down or refuses."""


@dataclass(frozen=True, slots=True)
class StoredSession:
    """A session as stored: who, the token their forms carry, whether Teams single sign-on
    started it, when it started and when it was last used."""

    object_id: str
    display_name: str
    csrf_token: str
    in_teams: bool
    created_at: datetime
    last_seen_at: datetime
    is_manager: bool = False


class StaffSessions:
    """The session rows of one unit of work."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def add(self, session_id: str, session: StoredSession) -> None:
        uow = self._uow
        uow.session.add(
            StaffSessionRow(
                id=session_id,
                object_id=session.object_id,
                display_name_enc=uow.seal(session.display_name, TABLE, "display_name", session_id),
                csrf_token_enc=uow.seal(session.csrf_token, TABLE, "csrf_token", session_id),
                in_teams=session.in_teams,
                created_at=session.created_at,
                last_seen_at=session.last_seen_at,
                is_manager=session.is_manager,
            )
        )
        await uow.session.flush()

    async def find(self, session_id: str) -> StoredSession | None:
        """The session, or None; `UnreadableField` if its sealed fields do not open."""
        row = await self._uow.session.get(StaffSessionRow, session_id)
        if row is None:
            return None
        return StoredSession(
            object_id=row.object_id,
            display_name=self._opened(row.display_name_enc, "display_name", session_id),
            csrf_token=self._opened(row.csrf_token_enc, "csrf_token", session_id),
            in_teams=row.in_teams,
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
            is_manager=row.is_manager,
        )

    async def seen(self, session_id: str, at: datetime) -> None:
        """Note that the session was used at `at`."""
        await self._uow.session.execute(
            update(StaffSessionRow).where(StaffSessionRow.id == session_id).values(last_seen_at=at)
        )

    async def remove(self, session_id: str) -> None:
        await self._uow.session.execute(
            delete(StaffSessionRow).where(StaffSessionRow.id == session_id)
        )

    async def remove_lapsed(self, started_before: datetime, seen_before: datetime) -> int:
        """Remove sessions started before `started_before` or unused since before
        `seen_before`; returns how many went."""
        removed = await self._uow.session.execute(
            delete(StaffSessionRow)
            .where(
                or_(
                    StaffSessionRow.created_at < started_before,
                    StaffSessionRow.last_seen_at < seen_before,
                )
            )
            .returning(StaffSessionRow.id)
        )
        return len(removed.all())

    def _opened(self, blob: bytes, column: str, session_id: str) -> str:
        """A sealed field of the row; `UnreadableField` if it does not open."""
        cipher = self._uow.store.cipher
        return cipher.decrypt(blob, context=seal_context(TABLE, column, session_id))
