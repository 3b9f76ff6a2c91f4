"""Recordings and transcripts of meetings found in Microsoft 365 (the recording backstop), and
the Graph subscriptions that report new ones.

Each is kept once per meeting, kind and Graph id, with Graph's times, when and how the bot
found it and whether the gate permitted it (the reason codes if not); one kept as permitted
may be judged again, and kept as not permitted after all (`judge_again`). Nothing personal but
the note staff write when they record what was done with one, which is sealed and cleared at
disposal. A meeting is found by its Teams (onlineMeeting) id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from consent_store.repository import new_id
from consent_store.tables import GraphSubscriptionRow, MeetingRow, RecordingArtefactRow
from consent_store.unit_of_work import UnitOfWork

TABLE = "recording_artefacts"
RESOLUTION = "resolution"


@dataclass(frozen=True, slots=True)
class NewArtefact:
    """A recording or transcript to keep, as the backstop judged it."""

    meeting_id: str
    kind: str
    graph_id: str
    created_at: datetime | None
    ended_at: datetime | None
    found_by: str
    permitted: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Artefact:
    """A kept recording or transcript; `resolution` is staff's note, once written."""

    id: str
    meeting_id: str
    kind: str
    graph_id: str
    created_at: datetime | None
    ended_at: datetime | None
    found_at: datetime
    found_by: str
    permitted: bool
    reasons: tuple[str, ...]
    resolved_at: datetime | None
    resolved_by: str | None
    resolution: str | None

    @property
    def needs_staff(self) -> bool:
        """Not permitted, and nobody has recorded yet what was done with it."""
        return not self.permitted and self.resolved_at is None


@dataclass(frozen=True, slots=True)
class KeptSubscription:
    subscription_id: str
    client_state: str
    expires_at: datetime


class RecordingArtefacts:
    """The backstop's rows, within one unit of work."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self._session = uow.session

    async def meeting_of_teams_meeting(self, teams_meeting_id: str) -> MeetingRow | None:
        return await self._session.scalar(
            select(MeetingRow).where(MeetingRow.teams_meeting_id == teams_meeting_id).limit(1)
        )

    async def meetings_ended_between(self, start: datetime, end: datetime) -> list[str]:
        """Ids of meetings in Teams, not cancelled, scheduled to end in [start, end)."""
        rows = await self._session.scalars(
            select(MeetingRow.id).where(
                MeetingRow.teams_meeting_id.is_not(None),
                MeetingRow.status != "cancelled",
                MeetingRow.ends_at >= start,
                MeetingRow.ends_at < end,
            )
        )
        return list(rows)

    async def add(self, artefact: NewArtefact) -> str | None:
        """Keep the artefact unless it is kept already; its new id, or None if it was."""
        dialect = self._session.get_bind().dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        row_id = new_id()
        added = await self._session.execute(
            insert(RecordingArtefactRow)
            .values(
                id=row_id,
                meeting_id=artefact.meeting_id,
                kind=artefact.kind,
                graph_id=artefact.graph_id,
                created_at=artefact.created_at,
                ended_at=artefact.ended_at,
                found_at=self._uow.now(),
                found_by=artefact.found_by,
                permitted=artefact.permitted,
                reasons=",".join(artefact.reasons),
            )
            .on_conflict_do_nothing(index_elements=["meeting_id", "kind", "graph_id"])
            .returning(RecordingArtefactRow.id)
        )
        return row_id if added.first() is not None else None

    async def judge_again(self, artefact_id: str, reasons: tuple[str, ...]) -> bool:
        """Keep an artefact kept as permitted as not permitted after all, for `reasons`;
        whether this changed it (False if it was not permitted already, so staff are alerted
        once however many checks judge it at once)."""
        changed = await self._session.execute(
            update(RecordingArtefactRow)
            .where(
                RecordingArtefactRow.id == artefact_id,
                RecordingArtefactRow.permitted.is_(True),
            )
            .values(permitted=False, reasons=",".join(reasons))
            .returning(RecordingArtefactRow.id)
        )
        return changed.first() is not None

    async def known(self, meeting_id: str, kind: str, graph_id: str) -> bool:
        found = await self._session.scalar(
            select(RecordingArtefactRow.id).where(
                RecordingArtefactRow.meeting_id == meeting_id,
                RecordingArtefactRow.kind == kind,
                RecordingArtefactRow.graph_id == graph_id,
            )
        )
        return found is not None

    async def for_meeting(self, meeting_id: str) -> list[Artefact]:
        """The meeting's artefacts, oldest found first."""
        rows = await self._session.scalars(
            select(RecordingArtefactRow)
            .where(RecordingArtefactRow.meeting_id == meeting_id)
            .order_by(RecordingArtefactRow.found_at, RecordingArtefactRow.id)
        )
        return [self._artefact(row) for row in rows]

    async def resolve(
        self, meeting_id: str, artefact_id: str, staff_id: str, resolution: str
    ) -> bool:
        """Record what staff did with an unpermitted artefact; False when there is no such
        artefact of the meeting waiting for it."""
        done = await self._session.execute(
            update(RecordingArtefactRow)
            .where(
                RecordingArtefactRow.id == artefact_id,
                RecordingArtefactRow.meeting_id == meeting_id,
                RecordingArtefactRow.permitted.is_(False),
                RecordingArtefactRow.resolved_at.is_(None),
            )
            .values(
                resolved_at=self._uow.now(),
                resolved_by=staff_id,
                resolution_enc=self._uow.seal(resolution, TABLE, RESOLUTION, artefact_id),
            )
            .returning(RecordingArtefactRow.id)
        )
        return done.first() is not None

    async def subscription(self, resource: str) -> KeptSubscription | None:
        row = await self._session.get(GraphSubscriptionRow, resource)
        if row is None:
            return None
        return KeptSubscription(row.subscription_id, row.client_state, row.expires_at)

    async def keep_subscription(self, resource: str, kept: KeptSubscription) -> None:
        row = await self._session.get(GraphSubscriptionRow, resource)
        if row is None:
            row = GraphSubscriptionRow(resource=resource)
            self._session.add(row)
        row.subscription_id = kept.subscription_id
        row.client_state = kept.client_state
        row.expires_at = kept.expires_at
        row.updated_at = self._uow.now()

    async def client_states(self) -> dict[str, str]:
        """Each kept subscription's client state, by subscription id."""
        rows = await self._session.execute(
            select(GraphSubscriptionRow.subscription_id, GraphSubscriptionRow.client_state)
        )
        return {subscription_id: state for subscription_id, state in rows}

    def _artefact(self, row: RecordingArtefactRow) -> Artefact:
        return Artefact(
            id=row.id,
            meeting_id=row.meeting_id,
            kind=row.kind,
            graph_id=row.graph_id,
            created_at=row.created_at,
            ended_at=row.ended_at,
            found_at=row.found_at,
            found_by=row.found_by,
            permitted=row.permitted,
            reasons=tuple(r for r in row.reasons.split(",") if r),
            resolved_at=row.resolved_at,
            resolved_by=row.resolved_by,
            resolution=self._uow.decrypt(row.resolution_enc, TABLE, RESOLUTION, row.id),
        )
