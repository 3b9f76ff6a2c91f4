"""What the store notes of Teams' recording setting for each meeting: as read back, the
settings confirmed locked down, a switch on under way, the meetings to watch and when each was
last watched, recording closed for good, sight lost, and staff attention marks.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from consent_store.repository import RepositoryPart
from consent_store.tables import MeetingRow

_REASONS_SEPARATOR = ","


def recording_closed_reasons(meeting: MeetingRow) -> tuple[str, ...]:
    """Why recording closed for the rest of the meeting, as `close_recording_for_good` kept it
    (the gate's blocker codes; none if it has not closed, or closed on an objection)."""
    return tuple(filter(None, (meeting.recording_closed_reasons or "").split(_REASONS_SEPARATOR)))


class RecordingWatch(RepositoryPart):
    """Teams' recording setting as noted, and the watch over meetings that may record."""

    async def note_teams_recording(
        self, meeting_id: str, allowed: bool, attention_cleared: str
    ) -> bool:
        """Note Teams' recording setting as read back, clearing the attention mark
        `attention_cleared`; False when it was already noted (a run at the same time noted
        it), so that one change is audited and reported once."""
        await self._session.execute(
            update(MeetingRow)
            .where(MeetingRow.id == meeting_id, MeetingRow.needs_attention == attention_cleared)
            .values(needs_attention=None)
            .execution_options(synchronize_session=False)
        )
        noted = await self._session.execute(
            update(MeetingRow)
            .where(
                MeetingRow.id == meeting_id,
                or_(
                    MeetingRow.teams_recording_allowed.is_(None),
                    MeetingRow.teams_recording_allowed != allowed,
                ),
            )
            .values(teams_recording_allowed=allowed)
            .execution_options(synchronize_session=False)
            .returning(MeetingRow.id)
        )
        return noted.first() is not None

    async def note_settings_confirmed(
        self, meeting_id: str, at: datetime, attention_cleared: str
    ) -> None:
        """Note that Graph read the meeting's settings back locked down (recording off) at
        `at`, clearing the attention mark `attention_cleared`."""
        await self._session.execute(
            update(MeetingRow)
            .where(MeetingRow.id == meeting_id, MeetingRow.needs_attention == attention_cleared)
            .values(needs_attention=None)
            .execution_options(synchronize_session=False)
        )
        await self._session.execute(
            update(MeetingRow)
            .where(MeetingRow.id == meeting_id)
            .values(teams_settings_confirmed_at=at, teams_recording_allowed=False)
            .execution_options(synchronize_session=False)
        )

    async def mark_attention(self, meeting_id: str, attention: str) -> None:
        """Mark the meeting as needing staff attention for `attention`."""
        await self._session.execute(
            update(MeetingRow)
            .where(MeetingRow.id == meeting_id)
            .values(needs_attention=attention)
            .execution_options(synchronize_session=False)
        )

    async def close_recording_for_good(
        self, meeting_id: str, at: datetime, reasons: Sequence[str]
    ) -> bool:
        """Note that recording was found not permitted (or off in Teams) after the meeting
        started, so it stays off, and why (the gate's blocker codes, kept with the first
        note); whether this was the first such note."""
        closed = await self._session.execute(
            update(MeetingRow)
            .where(MeetingRow.id == meeting_id, MeetingRow.recording_closed_at.is_(None))
            .values(
                recording_closed_at=at,
                recording_closed_reasons=_REASONS_SEPARATOR.join(reasons) or None,
            )
            .execution_options(synchronize_session=False)
            .returning(MeetingRow.id)
        )
        return closed.first() is not None

    async def in_watch(
        self, now: datetime, overrun: timedelta
    ) -> Sequence[tuple[str, datetime | None]]:
        """The meetings whose recording Teams may allow (read back as allowed, or not known:
        never read, or a switch on under way, `note_switching_on`), not cancelled and
        not more than `overrun` past their scheduled end, soonest start first (so that after a
        break those most likely under way are settled first), each with when it was last seen
        watched (`note_watched`; None if never)."""
        rows = await self._session.execute(
            select(MeetingRow.id, MeetingRow.watched_at)
            .where(
                MeetingRow.teams_recording_allowed.is_not(False),
                MeetingRow.status != "cancelled",
                MeetingRow.ends_at > now - overrun,
            )
            .order_by(MeetingRow.starts_at, MeetingRow.id)
        )
        return [(meeting_id, watched_at) for meeting_id, watched_at in rows]

    async def note_switching_on(self, meeting_id: str) -> None:
        """Note that Teams' recording setting is not known while it is being switched on, so
        that the meeting is watched even if the change lands but noting it fails."""
        await self._session.execute(
            update(MeetingRow)
            .where(MeetingRow.id == meeting_id)
            .values(teams_recording_allowed=None)
            .execution_options(synchronize_session=False)
        )

    async def note_watched(self, meeting_ids: Collection[str], at: datetime) -> None:
        """Note that the meetings were watched up to `at`."""
        if meeting_ids:
            await self._session.execute(
                update(MeetingRow)
                .where(MeetingRow.id.in_(meeting_ids))
                .values(watched_at=at)
                .execution_options(synchronize_session=False)
            )

    async def note_sight_lost(self, meeting_id: str, at: datetime) -> bool:
        """Note that the bot lost sight of the meeting while it was under way; whether this
        was the first such note."""
        noted = await self._session.execute(
            update(MeetingRow)
            .where(MeetingRow.id == meeting_id, MeetingRow.sight_lost_at.is_(None))
            .values(sight_lost_at=at)
            .execution_options(synchronize_session=False)
            .returning(MeetingRow.id)
        )
        return noted.first() is not None
