"""Monthly service statistics, counted in the database and protected before anyone sees them.

Measures: meetings held (by start month, cancelled ones excluded), recordings permitted and
refused (the gate's answer frozen at the start), documents refused in meetings (from the audit
log), consent replies by outcome and, among them, permission to liaise by outcome (by month
received), legal requests logged, refused by the service manager, put to the service user,
agreed and refused by them, and extracts sent (with permission or for safeguarding), all from
the audit log, so a request's later steps do not move it, and backstop alerts:
recordings or transcripts found that were made without everyone's consent (by month found).
Months are calendar months in UTC.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import QueryableAttribute

from consent_store.disclosure import ProtectedTable, protect
from consent_store.tables import (
    AuditEntryRow,
    ConsentDecisionRow,
    MeetingRow,
    RecordingArtefactRow,
)
from consent_store.unit_of_work import UnitOfWork

MEASURES = (
    "meetings",
    "recordings_permitted",
    "recordings_refused",
    "documents_refused",
    "replies_given",
    "replies_refused",
    "replies_withdrawn",
    "liaison_given",
    "liaison_refused",
    "liaison_withdrawn",
    "legal_requests_logged",
    "legal_requests_refused",
    "legal_requests_permission_asked",
    "legal_requests_agreed",
    "legal_requests_declined",
    "legal_extracts_sent",
    "backstop_alerts",
)
DOCUMENT_REFUSED_ACTION = "document.share_refused"
AUDITED_MEASURES = {
    DOCUMENT_REFUSED_ACTION: "documents_refused",
    "legal_request.logged": "legal_requests_logged",
    "legal_request.refused_by_manager": "legal_requests_refused",
    "legal_request.permission_asked": "legal_requests_permission_asked",
    "legal_request.permission_given": "legal_requests_agreed",
    "legal_request.permission_refused": "legal_requests_declined",
    "legal_request.extract_sent": "legal_extracts_sent",
}
LIAISON_TOPIC = "liaison"


def _month(column: QueryableAttribute[datetime], dialect: str) -> ColumnElement[str]:
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)


async def monthly_counts(uow: UnitOfWork) -> Counter[tuple[str, str]]:
    """Raw counts keyed by (month, measure). Never shown as they are: see `monthly_statistics`."""
    dialect = uow.session.get_bind().dialect.name
    counts: Counter[tuple[str, str]] = Counter()

    month = _month(MeetingRow.starts_at, dialect)
    live = MeetingRow.status != "cancelled"
    for label, outcome, number in await uow.session.execute(
        select(month, MeetingRow.recording_outcome, func.count())
        .where(live)
        .group_by(month, MeetingRow.recording_outcome)
    ):
        counts[label, "meetings"] += number
        if outcome in ("permitted", "refused"):
            counts[label, f"recordings_{outcome}"] += number

    month = _month(AuditEntryRow.at, dialect)
    for label, action, number in await uow.session.execute(
        select(month, AuditEntryRow.action, func.count())
        .where(AuditEntryRow.action.in_(AUDITED_MEASURES))
        .group_by(month, AuditEntryRow.action)
    ):
        counts[label, AUDITED_MEASURES[action]] += number

    month = _month(ConsentDecisionRow.received_at, dialect)
    for label, topic, decision, number in await uow.session.execute(
        select(month, ConsentDecisionRow.topic, ConsentDecisionRow.decision, func.count()).group_by(
            month, ConsentDecisionRow.topic, ConsentDecisionRow.decision
        )
    ):
        counts[label, f"replies_{decision}"] += number
        if topic == LIAISON_TOPIC:
            counts[label, f"liaison_{decision}"] += number

    month = _month(RecordingArtefactRow.found_at, dialect)
    for label, number in await uow.session.execute(
        select(month, func.count()).where(RecordingArtefactRow.permitted.is_(False)).group_by(month)
    ):
        counts[label, "backstop_alerts"] += number
    return counts


async def monthly_statistics(uow: UnitOfWork) -> ProtectedTable:
    """The monthly table with small numbers hidden and the rest rounded (see `disclosure`)."""
    counts = await monthly_counts(uow)
    months = sorted({month for month, _ in counts})
    return protect(
        months,
        MEASURES,
        {(month, measure): counts[month, measure] for month in months for measure in MEASURES},
    )
