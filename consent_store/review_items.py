"""The review queue's queries: emails staff must read, with the meetings and attendees they
may concern, and their resolution (open to confirmed or set aside, once)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from consent_store.tables import AttendeeRow, ConsentRequestRow, MeetingRow, ReviewItemRow

OPEN = "open"


class ReviewItems:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def open_count(self) -> int:
        count = await self._session.scalar(
            select(func.count()).select_from(ReviewItemRow).where(ReviewItemRow.status == OPEN)
        )
        return int(count or 0)

    async def open_with_meetings(self, limit: int) -> list[tuple[ReviewItemRow, MeetingRow | None]]:
        """The oldest open items first, each with the meeting it was matched to, if any."""
        rows = await self._session.execute(
            select(ReviewItemRow, MeetingRow)
            .outerjoin(MeetingRow, ReviewItemRow.meeting_id == MeetingRow.id)
            .where(ReviewItemRow.status == OPEN)
            .order_by(ReviewItemRow.received_at, ReviewItemRow.id)
            .limit(limit)
        )
        return [(item, meeting) for item, meeting in rows.all()]

    async def attendees_of(self, meeting_ids: Collection[str]) -> dict[str, list[AttendeeRow]]:
        """Each meeting's attendees, in the order they were listed (removed ones included)."""
        found: dict[str, list[AttendeeRow]] = defaultdict(list)
        if meeting_ids:
            for attendee in await self._session.scalars(
                select(AttendeeRow)
                .where(AttendeeRow.meeting_id.in_(meeting_ids))
                .order_by(AttendeeRow.meeting_id, AttendeeRow.position)
            ):
                found[attendee.meeting_id].append(attendee)
        return found

    async def topics_last_asked(self, meeting_ids: Collection[str]) -> dict[str, list[str]]:
        """Each attendee's topics in the latest consent request sent to them."""
        latest: dict[str, tuple[datetime, list[str]]] = {}
        if meeting_ids:
            for request in await self._session.scalars(
                select(ConsentRequestRow).where(ConsentRequestRow.meeting_id.in_(meeting_ids))
            ):
                seen = latest.get(request.attendee_id)
                if seen is None or request.sent_at > seen[0]:
                    latest[request.attendee_id] = (request.sent_at, list(request.topics))
        return {attendee_id: topics for attendee_id, (_, topics) in latest.items()}

    async def get(self, item_id: str) -> ReviewItemRow | None:
        return await self._session.get(ReviewItemRow, item_id)

    async def attendee(self, attendee_id: str) -> AttendeeRow | None:
        return await self._session.get(AttendeeRow, attendee_id)

    async def meeting(self, meeting_id: str) -> MeetingRow | None:
        return await self._session.get(MeetingRow, meeting_id)

    async def resolve(self, item_id: str, status: str, staff_id: str, now: datetime) -> bool:
        """Move the item from open to `status`; whether this call did (only one can)."""
        result = await self._session.execute(
            update(ReviewItemRow)
            .where(ReviewItemRow.id == item_id, ReviewItemRow.status == OPEN)
            .values(status=status, resolved_by=staff_id, resolved_at=now)
            .execution_options(synchronize_session=False)
        )
        assert isinstance(result, CursorResult)
        return bool(result.rowcount == 1)
