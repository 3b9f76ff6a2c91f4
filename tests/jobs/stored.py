"""Reading jobs and audit entries back for the job tests, and scheduling jobs in one go."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from consent_store.jobs import Jobs
from consent_store.tables import AuditEntryRow, JobRow
from consent_store.unit_of_work import Store


@dataclass(frozen=True)
class AuditedAction:
    action: str
    meeting_id: str | None
    subject_id: str | None
    detail: dict[str, object]


async def schedule_job(
    store: Store, key: str, due_at: datetime, kind: str = "reminder", meeting_id: str | None = None
) -> bool:
    async with store.unit_of_work() as uow:
        added = await Jobs(uow.session).schedule(key, kind, due_at, meeting_id)
        await uow.commit()
    return added


async def job_rows(store: Store) -> list[JobRow]:
    async with store.unit_of_work() as uow:
        return list(await uow.session.scalars(select(JobRow).order_by(JobRow.key)))


async def job_row(store: Store, key: str) -> JobRow:
    async with store.unit_of_work() as uow:
        row = await uow.session.scalar(select(JobRow).where(JobRow.key == key))
    assert row is not None
    return row


async def audited(store: Store) -> list[AuditedAction]:
    async with store.unit_of_work() as uow:
        entries = await uow.session.scalars(select(AuditEntryRow).order_by(AuditEntryRow.seq))
        return [
            AuditedAction(
                entry.action, entry.meeting_id, entry.subject_id, json.loads(entry.detail)
            )
            for entry in entries
        ]
