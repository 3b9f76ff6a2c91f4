"""The calls notification inbox (`call_notices`), the call leases that order its handling, and
the roster last handled for each call.

A notice is added in the transaction that answers Graph, and deleted once handled. A call's
notices are handled by one instance at a time: the instance holding the call's lease
(`call_notice_leases`), taken with one atomic upsert that succeeds only when the lease is
free, expired or already its own, and given up when the call has nothing left waiting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, exists, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from consent_store.meeting_activities import Backlog
from consent_store.tables import CallNoticeLeaseRow, CallNoticeRow, CallRow

PAYLOAD_COLUMN = ("call_notices", "payload")
"""The table and column a notice's payload is sealed for (with the row's id)."""


@dataclass(frozen=True, slots=True)
class NoticeArrival:
    """A notice to store: `payload_enc` sealed under `id`, for the call `call_id`; `sequence`
    orders it after what this instance took in before."""

    id: str
    sequence: int
    call_id: str
    kind: str
    payload_enc: bytes


@dataclass(frozen=True, slots=True)
class WaitingNotice:
    """A notice not yet handled: its id, kind, payload (still sealed) and how many times
    handling it has failed."""

    id: str
    kind: str
    payload_enc: bytes
    attempts: int


class CallNotices:
    """The inbox rows, call leases and last rosters of one unit of work."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, arrivals: Sequence[NoticeArrival], received_at: datetime) -> None:
        """Store notices as they arrived (their order is kept), in one statement."""
        await self._session.execute(
            insert(CallNoticeRow),
            [
                {
                    "id": arrival.id,
                    "sequence": arrival.sequence,
                    "call_id": arrival.call_id,
                    "kind": arrival.kind,
                    "payload_enc": arrival.payload_enc,
                    "received_at": received_at,
                    "attempts": 0,
                }
                for arrival in arrivals
            ],
        )

    async def claim(self, call_id: str, holder: str, now: datetime, until: datetime) -> bool:
        """Take or renew the call's lease for `holder` until `until`; False when another
        instance holds it and it has not run out."""
        dialect = self._session.get_bind().dialect.name
        upsert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        statement = (
            upsert(CallNoticeLeaseRow)
            .values(call_id=call_id, holder=holder, lease_until=until)
            .on_conflict_do_update(
                index_elements=["call_id"],
                set_={"holder": holder, "lease_until": until},
                where=or_(
                    CallNoticeLeaseRow.holder == holder, CallNoticeLeaseRow.lease_until < now
                ),
            )
            .returning(CallNoticeLeaseRow.call_id)
        )
        return (await self._session.execute(statement)).first() is not None

    async def release(self, holder: str, call_id: str | None = None) -> None:
        """Give up `holder`'s lease on the call, or on every call when `call_id` is None."""
        call = () if call_id is None else (CallNoticeLeaseRow.call_id == call_id,)
        await self._session.execute(
            delete(CallNoticeLeaseRow).where(CallNoticeLeaseRow.holder == holder, *call)
        )

    async def waiting(self, call_id: str, limit: int) -> Sequence[WaitingNotice]:
        """The call's oldest notices not yet handled, in the order they arrived."""
        rows = await self._session.execute(
            select(
                CallNoticeRow.id,
                CallNoticeRow.kind,
                CallNoticeRow.payload_enc,
                CallNoticeRow.attempts,
            )
            .where(CallNoticeRow.call_id == call_id)
            .order_by(CallNoticeRow.received_at, CallNoticeRow.sequence)
            .limit(limit)
        )
        return [WaitingNotice(*row) for row in rows]

    async def handled(self, notice_ids: Sequence[str]) -> None:
        await self._session.execute(delete(CallNoticeRow).where(CallNoticeRow.id.in_(notice_ids)))

    async def failed(self, notice_id: str) -> None:
        """Count a failed attempt at handling the notice."""
        await self._session.execute(
            update(CallNoticeRow)
            .where(CallNoticeRow.id == notice_id)
            .values(attempts=CallNoticeRow.attempts + 1)
        )

    async def backlog(self) -> Backlog:
        """How many notices are waiting for every call, and when the oldest arrived."""
        waiting, oldest = (
            await self._session.execute(select(func.count(), func.min(CallNoticeRow.received_at)))
        ).one()
        return Backlog(int(waiting or 0), oldest)

    async def change_kind(self, notice_id: str, kind: str) -> None:
        """Note what is left to do for the notice (its payload stays as it was sealed)."""
        await self._session.execute(
            update(CallNoticeRow).where(CallNoticeRow.id == notice_id).values(kind=kind)
        )

    async def unattended_calls(self, now: datetime, holder: str) -> Sequence[str]:
        """Calls with notices waiting and no live lease but `holder`'s own: left by an instance
        that stopped, by one that gave up its lease as another added to the call, or by this
        one when the store failed under it."""
        leased = exists().where(
            CallNoticeLeaseRow.call_id == CallNoticeRow.call_id,
            CallNoticeLeaseRow.lease_until >= now,
            CallNoticeLeaseRow.holder != holder,
        )
        calls = await self._session.scalars(select(CallNoticeRow.call_id).where(~leased).distinct())
        return list(calls)

    async def last_roster(self, call_id: str) -> str | None:
        """The digest of the roster last handled for the call."""
        digest: str | None = await self._session.scalar(
            select(CallRow.last_roster_sha256).where(CallRow.call_id == call_id)
        )
        return digest

    async def note_roster(self, call_id: str, digest: str) -> None:
        """Remember the digest of the roster just handled for the call."""
        await self._session.execute(
            update(CallRow).where(CallRow.call_id == call_id).values(last_roster_sha256=digest)
        )
