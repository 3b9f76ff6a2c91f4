"""Who is in a meeting now (`meeting_presence`): joins, leaves and the call roster; and
whether a recording seen there was already reported.

A person is kept under the keyed blind index of how Teams knows them (their object id, `29:`
id or call participant id), never the id itself, with the invited attendee they were matched
to (None for someone the meeting did not invite) and whether they are the organising staff.
A recording is known by a short key made from the blind indexes of the people recording; the
report is the audit entry `RECORDING_REPORTED` carrying that key. Each warning given to the
meeting that recording is not permitted is the audit entry `RECORDING_WARNED`, saying what it
warned of (`ARRIVAL_WARNING` or `RECORDING_WARNING`).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from consent_store.crypto import BlindIndex
from consent_store.tables import AuditEntryRow, MeetingRow, PresenceRow
from domain.terms import Participant

RECORDING_REPORTED = "recording.seen_without_consent"
RECORDING_WARNED = "recording.warned"
ARRIVAL_WARNING = "uninvited_arrival"
"""A `RECORDING_WARNED` notice: someone uninvited joined while recording was allowed."""
RECORDING_WARNING = "recording_seen"
"""A `RECORDING_WARNED` notice: a recording was seen without consent."""

_PRESENT = (
    select(PresenceRow.attendee_id)
    .where(
        PresenceRow.meeting_id == bindparam("meeting_id"),
        PresenceRow.left_at.is_(None),
        PresenceRow.is_staff.is_(False),
    )
    .order_by(PresenceRow.joined_at, PresenceRow.id)
)
"""Who is present but the organising staff; built once, as the gates read it on every turn
(see `consent_store.overview`)."""


@dataclass(frozen=True, slots=True)
class Presence:
    """Someone to record as present: `key` is how Teams knows them (kept only blinded)."""

    key: str
    attendee_id: str | None
    is_staff: bool = False


class MeetingPresence:
    """The `meeting_presence` rows of meetings."""

    def __init__(self, session: AsyncSession, blind_index: BlindIndex) -> None:
        self._session = session
        self._blind_index = blind_index

    async def joined(self, meeting_id: str, person: Presence, at: datetime) -> None:
        """Record that `person` is in the meeting from `at` (again, if they had left)."""
        values = {
            "attendee_id": person.attendee_id,
            "is_staff": person.is_staff,
            "joined_at": at,
            "left_at": None,
        }
        dialect = self._session.get_bind().dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        statement = insert(PresenceRow).values(
            id=uuid.uuid4().hex,
            meeting_id=meeting_id,
            participant_index=self._blind_index.of_participant(person.key),
            **values,
        )
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=["meeting_id", "participant_index"], set_=values
            )
        )

    async def left(self, meeting_id: str, key: str, at: datetime) -> None:
        """Record that whoever Teams knows by `key` left the meeting at `at`."""
        await self._session.execute(
            update(PresenceRow)
            .where(
                PresenceRow.meeting_id == meeting_id,
                PresenceRow.participant_index == self._blind_index.of_participant(key),
                PresenceRow.left_at.is_(None),
            )
            .values(left_at=at)
        )

    async def present(self, meeting_id: str) -> tuple[Participant, ...]:
        """Everyone in the meeting now but the organising staff, as the gates see them."""
        await self._session.flush()
        connection = await self._session.connection()
        attendee_ids = await connection.scalars(_PRESENT, {"meeting_id": meeting_id})
        return tuple(Participant(attendee_id) for attendee_id in attendee_ids)

    async def _present_rows(self, meeting_id: str) -> dict[str, tuple[str | None, bool]]:
        rows = await self._session.execute(
            select(
                PresenceRow.participant_index, PresenceRow.attendee_id, PresenceRow.is_staff
            ).where(PresenceRow.meeting_id == meeting_id, PresenceRow.left_at.is_(None))
        )
        return {index: (attendee_id, is_staff) for index, attendee_id, is_staff in rows}

    def _wanted(self, people: Sequence[Presence]) -> dict[str, tuple[str | None, bool]]:
        return {
            self._blind_index.of_participant(p.key): (p.attendee_id, p.is_staff) for p in people
        }

    async def is_exactly(self, meeting_id: str, people: Sequence[Presence]) -> bool:
        """Whether `people`, as matched, are exactly who is recorded as present now."""
        return await self._present_rows(meeting_id) == self._wanted(people)

    async def set_exactly(
        self, meeting_id: str, people: Sequence[Presence], at: datetime
    ) -> list[Presence]:
        """Make `people` exactly who is present (a full roster): the others leave at `at`.
        Returns those who were not present before."""
        before = await self._present_rows(meeting_id)
        wanted = self._wanted(people)
        gone = [index for index in before if index not in wanted]
        if gone:
            await self._session.execute(
                update(PresenceRow)
                .where(
                    PresenceRow.meeting_id == meeting_id,
                    PresenceRow.participant_index.in_(gone),
                    PresenceRow.left_at.is_(None),
                )
                .values(left_at=at)
            )
        arrived: list[Presence] = []
        for person in people:
            index = self._blind_index.of_participant(person.key)
            if before.get(index) != wanted[index]:
                await self.joined(meeting_id, person, at)
                if index not in before:
                    arrived.append(person)
        return arrived

    def recording_key(self, keys: Sequence[str]) -> str:
        """A short pseudonymous key for a recording: who is recording, blinded."""
        indexes = sorted({self._blind_index.of_participant(key) for key in keys})
        return hashlib.sha256("|".join(indexes).encode()).hexdigest()[:16]

    async def recording_reported(self, meeting_id: str, recording_key: str) -> bool:
        """Whether this recording in this meeting was already reported (audited)."""
        details = await self._session.scalars(
            select(AuditEntryRow.detail).where(
                AuditEntryRow.meeting_id == meeting_id,
                AuditEntryRow.action == RECORDING_REPORTED,
            )
        )
        return any(json.loads(detail).get("recording_key") == recording_key for detail in details)

    async def warnings_since(self, meeting_id: str, since: datetime) -> frozenset[str]:
        """What the meeting was warned of (`RECORDING_WARNED` notices) at `since` or after."""
        details = await self._session.scalars(
            select(AuditEntryRow.detail).where(
                AuditEntryRow.meeting_id == meeting_id,
                AuditEntryRow.action == RECORDING_WARNED,
                AuditEntryRow.at >= since,
            )
        )
        return frozenset(str(json.loads(detail).get("notice")) for detail in details)

    async def hold_meeting(self, meeting_id: str) -> None:
        """Hold the meeting's row until this transaction ends, so two instances do not both
        report one recording or give one warning (PostgreSQL row lock; SQLite has one writer
        already)."""
        await self._session.execute(
            select(MeetingRow.id).where(MeetingRow.id == meeting_id).with_for_update()
        )
