"""Monthly service statistics, counted in the database and protected before anyone sees them.

Measures: meetings held (by start month, cancelled ones excluded), recordings permitted and
refused (the gate's answer frozen at the start), documents refused in meetings (from the audit
log), and consent replies by outcome (by month received). Months are calendar months in UTC.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import QueryableAttribute

from consent_store.disclosure import ProtectedTable, protect
from consent_store.tables import AuditEntryRow, ConsentDecisionRow, MeetingRow
from consent_store.unit_of_work import UnitOfWork

MEASURES = (
    "meetings",
    "recordings_permitted",
    "recordings_refused",
    "documents_refused",
    "replies_given",
    "replies_refused",
    "replies_withdrawn",
)
DOCUMENT_REFUSED_ACTION = "document.share_refused"


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
    for label, number in await uow.session.execute(
        select(month, func.count())
        .where(AuditEntryRow.action == DOCUMENT_REFUSED_ACTION)
        .group_by(month)
    ):
        counts[label, "documents_refused"] += number

    month = _month(ConsentDecisionRow.received_at, dialect)
    for label, decision, number in await uow.session.execute(
        select(month, ConsentDecisionRow.decision, func.count()).group_by(
            month, ConsentDecisionRow.decision
        )
    ):
        counts[label, f"replies_{decision}"] += number
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
