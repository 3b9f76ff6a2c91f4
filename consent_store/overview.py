"""What the recording gate needs about a page of meetings, read together: two round trips for
the whole page instead of two or three per meeting, so the staff home stays fast however
many meetings are listed. Presence is not read here (`present=()`): a caller listing a
meeting that may be under way asks `MeetingRepository.facts` for it, which reads presence.

The statements are built once, here, and run on the session's connection, after flushing what
the unit of work has added so that it is seen: building a statement and passing it through the
ORM's layers for each read cost more than the database's answer (`bench/gate.py`).

`MeetingRepository.facts` reads one meeting through the same query, so the home list and the
gates can never disagree about a meeting's facts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Select, and_, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from consent_store.tables import AttendeeRow, ConsentDecisionRow, DocumentRow, MeetingRow
from domain.terms import (
    Attendee,
    AttendeeKind,
    AuthVerdict,
    ConsentRecord,
    Decision,
    DeclaredRole,
    MeetingFacts,
    ProposedDocument,
    Topic,
)


def _with_decisions(meetings: ColumnElement[bool]) -> Select[*tuple[Any, ...]]:
    """The meetings with their attendees and the attendees' decisions (outer joins, so a
    meeting without attendees or replies still comes back)."""
    return (
        select(
            MeetingRow.id.label("meeting_id"),
            MeetingRow.starts_at,
            MeetingRow.started_at,
            MeetingRow.recording_closed_at,
            MeetingRow.sight_lost_at,
            MeetingRow.declared_role,
            MeetingRow.recording_requested,
            MeetingRow.status,
            AttendeeRow.id,
            AttendeeRow.kind,
            ConsentDecisionRow.topic,
            ConsentDecisionRow.decision,
            ConsentDecisionRow.received_at,
            ConsentDecisionRow.auth_verdict,
            ConsentDecisionRow.sender_matches,
            ConsentDecisionRow.documents_covered,
        )
        .select_from(MeetingRow)
        .outerjoin(
            AttendeeRow,
            and_(AttendeeRow.meeting_id == MeetingRow.id, AttendeeRow.removed_at.is_(None)),
        )
        .outerjoin(ConsentDecisionRow, ConsentDecisionRow.attendee_id == AttendeeRow.id)
        .where(meetings)
        .order_by(MeetingRow.id, AttendeeRow.position)
    )


def _documents(of_meetings: ColumnElement[bool]) -> Select[*tuple[Any, ...]]:
    return (
        select(DocumentRow.meeting_id, DocumentRow.id, DocumentRow.listed_at)
        .where(of_meetings, DocumentRow.removed_at.is_(None))
        .order_by(DocumentRow.position)
    )


_MEETING_IDS: BindParameter[list[str]] = bindparam("meeting_ids", expanding=True)
_MEETING_ID: BindParameter[str] = bindparam("meeting_id")
_FOR_A_PAGE = (
    _with_decisions(MeetingRow.id.in_(_MEETING_IDS)),
    _documents(DocumentRow.meeting_id.in_(_MEETING_IDS)),
)
_FOR_ONE = (
    _with_decisions(MeetingRow.id == _MEETING_ID),
    _documents(DocumentRow.meeting_id == _MEETING_ID),
)
"""The same two reads for one meeting, without the list parameter's expansion on each use."""


async def facts_without_presence(
    session: AsyncSession, meeting_ids: Sequence[str], now: datetime
) -> dict[str, MeetingFacts]:
    """Each meeting's facts as at `now`, with no one recorded as present."""
    if not meeting_ids:
        return {}
    await session.flush()
    connection = await session.connection()
    asked: dict[str, str | list[str]]
    if len(meeting_ids) == 1:
        (with_decisions, documents_of_meetings), asked = _FOR_ONE, {"meeting_id": meeting_ids[0]}
    else:
        (with_decisions, documents_of_meetings) = _FOR_A_PAGE
        asked = {"meeting_ids": list(meeting_ids)}
    rows = (await connection.execute(with_decisions, asked)).all()
    documents = (await connection.execute(documents_of_meetings, asked)).all()
    by_meeting = defaultdict(list)
    for row in rows:
        by_meeting[row.meeting_id].append(row)
    documents_of = defaultdict(list)
    for document in documents:
        documents_of[document.meeting_id].append(ProposedDocument(document.id, document.listed_at))
    facts = {}
    for meeting_id, meeting_rows in by_meeting.items():
        meeting = meeting_rows[0]
        attendees = {
            row.id: Attendee(row.id, AttendeeKind(row.kind)) for row in meeting_rows if row.id
        }
        facts[meeting_id] = MeetingFacts(
            starts_at=meeting.starts_at,
            attendees=tuple(attendees.values()),
            decisions=tuple(
                ConsentRecord(
                    attendee_id=row.id,
                    topic=Topic(row.topic),
                    decision=Decision(row.decision),
                    received_at=row.received_at,
                    auth=AuthVerdict(row.auth_verdict),
                    sender_matches=row.sender_matches,
                    documents_covered=frozenset(row.documents_covered),
                )
                for row in meeting_rows
                if row.topic is not None
            ),
            declared_role=DeclaredRole(meeting.declared_role),
            recording_requested=meeting.recording_requested,
            cancelled=meeting.status == "cancelled",
            present=(),
            documents=tuple(documents_of[meeting_id]),
            started_at=meeting.started_at
            or (meeting.starts_at if meeting.starts_at <= now else None),
            recording_closed_since_start=meeting.recording_closed_at is not None,
            sight_lost_since_start=meeting.sight_lost_at is not None,
        )
    return facts
