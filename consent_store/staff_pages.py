"""The staff pages' queries: the home's meeting lists a page at a time (keyset pagination on
the indexed `starts_at`, ties broken by id, so a page costs the same however many meetings
there are), and what a meeting's page shows beyond the repository's reads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from consent_store.review_items import OPEN
from consent_store.tables import (
    AttendeeRow,
    AuditEntryRow,
    ConsentDecisionRow,
    MeetingRow,
    ReviewItemRow,
)


def _beyond(
    starts_at: datetime, meeting_id: str, forwards: bool
) -> tuple[ColumnElement[bool], ...]:
    """Meetings after (starts_at, meeting_id) in list order; the plain bound lets the index do
    the work."""
    starts, key = MeetingRow.starts_at, MeetingRow.id
    if forwards:
        return (
            starts >= starts_at,
            or_(starts > starts_at, and_(starts == starts_at, key > meeting_id)),
        )
    return (
        starts <= starts_at,
        or_(starts < starts_at, and_(starts == starts_at, key < meeting_id)),
    )


class StaffPages:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def meetings(
        self, upcoming: bool, now: datetime, after: tuple[datetime, str] | None, limit: int
    ) -> list[MeetingRow]:
        """Up to `limit` meetings starting from `now` on (soonest first) when `upcoming`, else
        before it (latest first), after the meeting `after` names (its start and id)."""
        starts, meeting_id = MeetingRow.starts_at, MeetingRow.id
        query = select(MeetingRow).where(starts >= now if upcoming else starts < now)
        if after is not None:
            query = query.where(*_beyond(*after, upcoming))
        order = (starts.asc(), meeting_id.asc()) if upcoming else (starts.desc(), meeting_id.desc())
        return list(await self._session.scalars(query.order_by(*order).limit(limit)))

    async def removed_attendees(self, meeting_id: str) -> list[AttendeeRow]:
        return list(
            await self._session.scalars(
                select(AttendeeRow)
                .where(AttendeeRow.meeting_id == meeting_id, AttendeeRow.removed_at.is_not(None))
                .order_by(AttendeeRow.position)
            )
        )

    async def decisions(self, meeting_id: str) -> tuple[ConsentDecisionRow, ...]:
        """Every decision for the meeting, in the order the emails arrived."""
        return tuple(
            await self._session.scalars(
                select(ConsentDecisionRow)
                .where(ConsentDecisionRow.meeting_id == meeting_id)
                .order_by(ConsentDecisionRow.received_at, ConsentDecisionRow.recorded_at)
            )
        )

    async def open_review_count(self, meeting_id: str) -> int:
        count = await self._session.scalar(
            select(func.count())
            .select_from(ReviewItemRow)
            .where(ReviewItemRow.meeting_id == meeting_id, ReviewItemRow.status == OPEN)
        )
        return int(count or 0)

    async def audit_trail(self, meeting_id: str) -> tuple[AuditEntryRow, ...]:
        return tuple(
            await self._session.scalars(
                select(AuditEntryRow)
                .where(AuditEntryRow.meeting_id == meeting_id)
                .order_by(AuditEntryRow.seq)
            )
        )
