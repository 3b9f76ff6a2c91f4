"""The bot's Graph calls into meetings, and the comms notifications already handled.

Several bot instances may see the same call, so every change is one conditional statement:
a call is recorded once (insert-or-ignore by its normalised id), its state only moves forward
(establishing, established, terminating, terminated: a late "established" cannot revive a
terminated call), its announcement is claimed once (and not at all while another live call
into the meeting was announced in), and each notification is noted once by
its dedupe key.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from consent_store.tables import CallNotificationRow, CallRow, MeetingRow

STATE_ORDER: Final = ("establishing", "established", "terminating", "terminated")
LIVE_STATES: Final = ("establishing", "established")
ESTABLISHED: Final = "established"
TERMINATED: Final = "terminated"


def earlier_states(state: str) -> tuple[str, ...]:
    """The states a call may move to `state` from; none for a state the bot does not track."""
    if state not in STATE_ORDER:
        return ()
    return STATE_ORDER[: STATE_ORDER.index(state)]


class MeetingCallRecords:
    """The bot's calls by normalised call id, and the notifications handled."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def _insert(self, table: Any) -> Any:
        dialect = self._session.get_bind().dialect.name
        return (postgresql_insert if dialect == "postgresql" else sqlite_insert)(table)

    async def note_notification(self, dedupe_key: str, call_id: str, now: datetime) -> bool:
        """Note a notification as handled; False when it was already (a duplicate)."""
        statement = (
            self._insert(CallNotificationRow)
            .values(dedupe_key=dedupe_key, call_id=call_id, received_at=now)
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(CallNotificationRow.dedupe_key)
        )
        return (await self._session.execute(statement)).first() is not None

    async def record(self, call_id: str, meeting_id: str, now: datetime) -> bool:
        """Record a call into the meeting (state establishing) unless it is known; returns
        whether it was new."""
        statement = (
            self._insert(CallRow)
            .values(
                call_id=call_id,
                meeting_id=meeting_id,
                state=STATE_ORDER[0],
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=["call_id"])
            .returning(CallRow.call_id)
        )
        return (await self._session.execute(statement)).first() is not None

    async def meeting_of(self, call_id: str) -> str | None:
        meeting_id: str | None = await self._session.scalar(
            select(CallRow.meeting_id).where(CallRow.call_id == call_id)
        )
        return meeting_id

    async def advance(self, call_id: str, state: str, now: datetime) -> bool:
        """Move the call to a later `state`; False when it is already there or beyond, or
        the state is not one the bot tracks."""
        earlier = earlier_states(state)
        if not earlier:
            return False
        moved = await self._session.execute(
            update(CallRow)
            .where(CallRow.call_id == call_id, CallRow.state.in_(earlier))
            .values(state=state, updated_at=now)
            .returning(CallRow.call_id)
        )
        return moved.first() is not None

    async def live_calls(self, meeting_id: str) -> Sequence[str]:
        """The ids of the bot's calls into the meeting that have not ended."""
        return list(
            await self._session.scalars(
                select(CallRow.call_id)
                .where(CallRow.meeting_id == meeting_id, CallRow.state.in_(LIVE_STATES))
                .order_by(CallRow.created_at)
            )
        )

    async def established_calls(self) -> Sequence[tuple[str, str | None]]:
        """Every call the bot is in now, in any meeting, with the digest of the roster last
        handled for it (None when none was)."""
        rows = await self._session.execute(
            select(CallRow.call_id, CallRow.last_roster_sha256)
            .where(CallRow.state == ESTABLISHED)
            .order_by(CallRow.created_at)
        )
        return [(call_id, digest) for call_id, digest in rows]

    async def established_call(self, meeting_id: str) -> str | None:
        """The bot's established call into the meeting, if it is in one."""
        call_id: str | None = await self._session.scalar(
            select(CallRow.call_id)
            .where(CallRow.meeting_id == meeting_id, CallRow.state == ESTABLISHED)
            .order_by(CallRow.created_at.desc())
            .limit(1)
        )
        return call_id

    async def announced_in(self, meeting_id: str) -> bool:
        """Whether the opening statement was made in a call of the bot's into the meeting
        that has not ended."""
        announced = await self._session.scalar(
            select(CallRow.call_id)
            .where(
                CallRow.meeting_id == meeting_id,
                CallRow.state.in_(LIVE_STATES),
                CallRow.announced_at.is_not(None),
            )
            .limit(1)
        )
        return announced is not None

    async def claim_announcement(self, call_id: str, now: datetime) -> bool:
        """Mark the call as announced in; True only for the first to ask, and only when no
        other live call of the bot's into the same meeting was announced in: a second call
        placed because the first was not recorded (an instance stopped between Graph placing
        it and the store recording it, and Graph's notifications came late) makes no second
        statement. The meeting's row is locked first, so two calls claiming at once on
        PostgreSQL cannot both see the other unannounced."""
        meeting_id = await self.meeting_of(call_id)
        if meeting_id is None:
            return False
        await self._session.execute(
            select(MeetingRow.id).where(MeetingRow.id == meeting_id).with_for_update()
        )
        other = aliased(CallRow)
        announced_elsewhere = (
            select(other.call_id)
            .where(
                other.meeting_id == meeting_id,
                other.call_id != call_id,
                other.state.in_(LIVE_STATES),
                other.announced_at.is_not(None),
            )
            .exists()
        )
        claimed = await self._session.execute(
            update(CallRow)
            .where(
                CallRow.call_id == call_id,
                CallRow.announced_at.is_(None),
                ~announced_elsewhere,
            )
            .values(announced_at=now)
            .returning(CallRow.call_id)
        )
        return claimed.first() is not None
