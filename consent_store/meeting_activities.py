"""The meeting activity inbox (`meeting_activities`) and the chat leases that order its handling.

An activity is added in the transaction that answers Teams, and deleted once handled. A chat's
activities are handled by one instance at a time: the instance holding the chat's lease
(`meeting_chat_leases`), taken with one atomic upsert that succeeds only when the lease is
free, expired or already its own, and given up when the chat has nothing left waiting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, exists, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from consent_store.tables import MeetingActivityRow, MeetingChatLeaseRow

PAYLOAD_COLUMN = ("meeting_activities", "payload")
"""The table and column an activity's payload is sealed for (with the row's id)."""


@dataclass(frozen=True, slots=True)
class Arrival:
    """An activity to store: `payload_enc` sealed under `id`, for the chat `thread_id`;
    `sequence` orders it after what this instance took in before."""

    id: str
    sequence: int
    thread_id: str
    kind: str
    payload_enc: bytes


@dataclass(frozen=True, slots=True)
class Backlog:
    """How many items an inbox holds not yet handled, and when its oldest arrived (None when
    it is empty)."""

    waiting: int
    oldest_received_at: datetime | None


@dataclass(frozen=True, slots=True)
class WaitingActivity:
    """An activity not yet handled: its id, what kind it is, its payload (still sealed) and
    how many times handling it has failed."""

    id: str
    kind: str
    payload_enc: bytes
    attempts: int


class MeetingActivities:
    """The inbox rows and chat leases of one unit of work."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, arrivals: Sequence[Arrival], received_at: datetime) -> None:
        """Store activities as they arrived (their order is kept), in one statement."""
        await self._session.execute(
            insert(MeetingActivityRow),
            [
                {
                    "id": arrival.id,
                    "sequence": arrival.sequence,
                    "thread_id": arrival.thread_id,
                    "kind": arrival.kind,
                    "payload_enc": arrival.payload_enc,
                    "received_at": received_at,
                    "attempts": 0,
                }
                for arrival in arrivals
            ],
        )

    async def claim(self, thread_id: str, holder: str, now: datetime, until: datetime) -> bool:
        """Take or renew the chat's lease for `holder` until `until`; False when another
        instance holds it and it has not run out."""
        dialect = self._session.get_bind().dialect.name
        upsert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        statement = (
            upsert(MeetingChatLeaseRow)
            .values(thread_id=thread_id, holder=holder, lease_until=until)
            .on_conflict_do_update(
                index_elements=["thread_id"],
                set_={"holder": holder, "lease_until": until},
                where=or_(
                    MeetingChatLeaseRow.holder == holder, MeetingChatLeaseRow.lease_until < now
                ),
            )
            .returning(MeetingChatLeaseRow.thread_id)
        )
        return (await self._session.execute(statement)).first() is not None

    async def release(self, holder: str, thread_id: str | None = None) -> None:
        """Give up `holder`'s lease on the chat, or on every chat when `thread_id` is None."""
        chat = () if thread_id is None else (MeetingChatLeaseRow.thread_id == thread_id,)
        await self._session.execute(
            delete(MeetingChatLeaseRow).where(MeetingChatLeaseRow.holder == holder, *chat)
        )

    async def waiting(self, thread_id: str, limit: int) -> Sequence[WaitingActivity]:
        """The chat's oldest activities not yet handled, in the order they arrived."""
        rows = await self._session.execute(
            select(
                MeetingActivityRow.id,
                MeetingActivityRow.kind,
                MeetingActivityRow.payload_enc,
                MeetingActivityRow.attempts,
            )
            .where(MeetingActivityRow.thread_id == thread_id)
            .order_by(MeetingActivityRow.received_at, MeetingActivityRow.sequence)
            .limit(limit)
        )
        return [WaitingActivity(*row) for row in rows]

    async def handled(self, activity_ids: Sequence[str]) -> None:
        await self._session.execute(
            delete(MeetingActivityRow).where(MeetingActivityRow.id.in_(activity_ids))
        )

    async def failed(self, activity_id: str) -> None:
        """Count a failed attempt at handling the activity."""
        await self._session.execute(
            update(MeetingActivityRow)
            .where(MeetingActivityRow.id == activity_id)
            .values(attempts=MeetingActivityRow.attempts + 1)
        )

    async def unattended_chats(self, now: datetime, holder: str) -> Sequence[str]:
        """Chats with activities waiting and no live lease but `holder`'s own: left by an
        instance that stopped, by one that gave up its lease while another added to the chat,
        or by this one when the store failed under its worker."""
        leased = exists().where(
            MeetingChatLeaseRow.thread_id == MeetingActivityRow.thread_id,
            MeetingChatLeaseRow.lease_until >= now,
            MeetingChatLeaseRow.holder != holder,
        )
        chats = await self._session.scalars(
            select(MeetingActivityRow.thread_id).where(~leased).distinct()
        )
        return list(chats)

    async def count(self) -> int:
        """How many activities are waiting, in every chat."""
        waiting = await self._session.scalar(select(func.count()).select_from(MeetingActivityRow))
        return int(waiting or 0)

    async def backlog(self) -> Backlog:
        """How many activities are waiting in every chat, and when the oldest arrived."""
        waiting, oldest = (
            await self._session.execute(
                select(func.count(), func.min(MeetingActivityRow.received_at))
            )
        ).one()
        return Backlog(int(waiting or 0), oldest)
