"""The job repository: timed work scheduled once by key, claimed with a lease, then completed
or failed by the worker holding the claim.

Several bot instances share the table, so each claim is atomic. PostgreSQL locks the due rows
it picks (`FOR UPDATE SKIP LOCKED`, so instances claiming at once take different rows), and
SQLite runs the pick and the update in one `BEGIN IMMEDIATE` transaction, which no other
writer can interleave; on both, the update repeats the pick's conditions, so a row claimed
by someone else in between is left alone. Only the claimant can complete or fail a job, and
only while it holds the claim, so a job whose lease ran out and was claimed again is not
finished twice.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from consent_store.repository import new_id
from consent_store.tables import JobRow

MAX_ATTEMPTS = 5
CANCELLED = "cancelled"
_ERROR_LENGTH = 200


@dataclass(frozen=True)
class ClaimedJob:
    """A job as claimed: what to do, for which meeting, and which attempt this is (from 1)."""

    id: str
    key: str
    kind: str
    meeting_id: str | None
    due_at: datetime
    attempts: int
    lease_until: datetime


@dataclass(frozen=True)
class NewJob:
    """A job to schedule: its key, kind, due time and meeting."""

    key: str
    kind: str
    due_at: datetime
    meeting_id: str | None = None


class FailureOutcome(Enum):
    """What recording a failed run did to the job."""

    WILL_RETRY = "will_retry"
    ABANDONED = "abandoned"
    NOT_HELD = "not_held"


class Jobs:
    """Timed jobs by key, and their claims."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def schedule(
        self, key: str, kind: str, due_at: datetime, meeting_id: str | None = None
    ) -> bool:
        """Add a job unless one with this key exists; returns whether it was added."""
        dialect = self._session.get_bind().dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        statement = (
            insert(JobRow)
            .values(
                id=new_id(), key=key, kind=kind, meeting_id=meeting_id, due_at=due_at, attempts=0
            )
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(JobRow.id)
        )
        return (await self._session.execute(statement)).first() is not None

    async def schedule_many(self, jobs: Sequence[NewJob]) -> None:
        """Add these jobs in one statement, each unless one with its key exists."""
        if not jobs:
            return
        dialect = self._session.get_bind().dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        await self._session.execute(
            insert(JobRow)
            .values(
                [
                    {
                        "id": new_id(),
                        "key": job.key,
                        "kind": job.kind,
                        "meeting_id": job.meeting_id,
                        "due_at": job.due_at,
                        "attempts": 0,
                    }
                    for job in jobs
                ]
            )
            .on_conflict_do_nothing(index_elements=["key"])
        )

    async def reschedule(self, key: str, due_at: datetime) -> bool:
        """Move an unfinished job to a new due time; returns whether there was one to move.

        A run already under way is not stopped by this.
        """
        moved = await self._session.execute(
            update(JobRow)
            .where(JobRow.key == key, JobRow.done_at.is_(None))
            .values(due_at=due_at)
            .returning(JobRow.id)
        )
        return moved.first() is not None

    async def requeue(
        self, key: str, kind: str, due_at: datetime, meeting_id: str | None = None
    ) -> None:
        """Make the job with this key due at `due_at` and not yet run, whether it is new,
        waiting, or already finished (it runs again); a claim on it is dropped, so a run under
        way cannot complete it."""
        if await self.schedule(key, kind, due_at, meeting_id):
            return
        await self._session.execute(
            update(JobRow)
            .where(JobRow.key == key)
            .values(
                due_at=due_at,
                done_at=None,
                attempts=0,
                claimed_by=None,
                lease_until=None,
                last_error=None,
            )
        )

    async def any_due_after(self, job: ClaimedJob, kind: str) -> bool:
        """Whether another job of `kind` for the same meeting is due after `job` (cancelled
        ones aside)."""
        later = await self._session.scalar(
            select(JobRow.id)
            .where(
                JobRow.meeting_id == job.meeting_id,
                JobRow.kind == kind,
                JobRow.id != job.id,
                JobRow.due_at > job.due_at,
                or_(JobRow.last_error.is_(None), JobRow.last_error != CANCELLED),
            )
            .limit(1)
        )
        return later is not None

    async def cancel_for_meeting(
        self, meeting_id: str, now: datetime, kinds: Collection[str] | None = None
    ) -> int:
        """Finish the meeting's unfinished jobs (of these kinds, or all) without running them;
        returns how many."""
        of_kind = () if kinds is None else (JobRow.kind.in_(kinds),)
        cancelled = await self._session.execute(
            update(JobRow)
            .where(JobRow.meeting_id == meeting_id, JobRow.done_at.is_(None), *of_kind)
            .values(done_at=now, last_error=CANCELLED)
            .returning(JobRow.id)
        )
        return len(cancelled.all())

    async def claim_due(
        self,
        now: datetime,
        worker: str,
        lease: timedelta,
        limit: int,
        *,
        kinds: Collection[str],
    ) -> list[ClaimedJob]:
        """Claim up to `limit` unfinished jobs of these kinds, due by `now` and not under a
        live lease, for `worker` until `now + lease`; earliest due first.

        Only the kinds this worker can run are claimed, so instances running different
        versions leave each other's new kinds alone.
        """
        claimable = (
            JobRow.done_at.is_(None),
            JobRow.due_at <= now,
            or_(JobRow.lease_until.is_(None), JobRow.lease_until < now),
        )
        due = (
            select(JobRow.id)
            .where(*claimable, JobRow.kind.in_(kinds))
            .order_by(JobRow.due_at, JobRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        job_ids = list(await self._session.scalars(due))
        if not job_ids:
            return []
        lease_until = now + lease
        claimed = await self._session.execute(
            update(JobRow)
            .where(JobRow.id.in_(job_ids), *claimable)
            .values(claimed_by=worker, lease_until=lease_until, attempts=JobRow.attempts + 1)
            .returning(
                JobRow.id,
                JobRow.key,
                JobRow.kind,
                JobRow.meeting_id,
                JobRow.due_at,
                JobRow.attempts,
            )
        )
        jobs = [
            ClaimedJob(
                id=row.id,
                key=row.key,
                kind=row.kind,
                meeting_id=row.meeting_id,
                due_at=row.due_at,
                attempts=row.attempts,
                lease_until=lease_until,
            )
            for row in claimed
        ]
        return sorted(jobs, key=lambda job: (job.due_at, job.id))

    async def claim_key(
        self, key: str, worker: str, now: datetime, lease: timedelta
    ) -> ClaimedJob | None:
        """Claim the unfinished job with this key for `worker`, due yet or not, unless it is
        under a live lease: its enqueuer doing the work at once, so that no runner does it too.
        None if it is done or someone else holds it. One compare-and-set on the row, so of two
        claimants only one wins, on both engines."""
        lease_until = now + lease
        claimed = (
            await self._session.execute(
                update(JobRow)
                .where(
                    JobRow.key == key,
                    JobRow.done_at.is_(None),
                    or_(JobRow.lease_until.is_(None), JobRow.lease_until < now),
                )
                .values(claimed_by=worker, lease_until=lease_until, attempts=JobRow.attempts + 1)
                .returning(
                    JobRow.id,
                    JobRow.key,
                    JobRow.kind,
                    JobRow.meeting_id,
                    JobRow.due_at,
                    JobRow.attempts,
                )
            )
        ).first()
        if claimed is None:
            return None
        return ClaimedJob(
            id=claimed.id,
            key=claimed.key,
            kind=claimed.kind,
            meeting_id=claimed.meeting_id,
            due_at=claimed.due_at,
            attempts=claimed.attempts,
            lease_until=lease_until,
        )

    async def complete(self, job_id: str, worker: str, now: datetime) -> bool:
        """Mark the job done if `worker` still holds its claim; returns whether it did."""
        completed = await self._session.execute(
            update(JobRow)
            .where(JobRow.id == job_id, JobRow.claimed_by == worker, JobRow.done_at.is_(None))
            .values(done_at=now, lease_until=None)
            .returning(JobRow.id)
        )
        return completed.first() is not None

    async def give_back(self, job_id: str, worker: str) -> bool:
        """Release `worker`'s claim on an unfinished job whose run it stopped (the instance is
        stopping): any instance may claim it at once, and the stopped run is not counted as an
        attempt. Returns whether `worker` held the claim."""
        given = await self._session.execute(
            update(JobRow)
            .where(JobRow.id == job_id, JobRow.claimed_by == worker, JobRow.done_at.is_(None))
            .values(claimed_by=None, lease_until=None, attempts=JobRow.attempts - 1)
            .returning(JobRow.id)
        )
        return given.first() is not None

    async def complete_unclaimed(self, keys: Collection[str], now: datetime) -> int:
        """Mark the jobs with these keys done, if unfinished and under no live claim: work
        their enqueuer carried out itself, before any runner claimed it; how many."""
        if not keys:
            return 0
        completed = await self._session.execute(
            update(JobRow)
            .where(
                JobRow.key.in_(keys),
                JobRow.done_at.is_(None),
                or_(JobRow.lease_until.is_(None), JobRow.lease_until < now),
            )
            .values(done_at=now, lease_until=None, claimed_by=None)
            .returning(JobRow.id)
        )
        return len(completed.all())

    async def fail(
        self,
        job_id: str,
        worker: str,
        now: datetime,
        error: str,
        retry_at: datetime,
        give_up_after: int | None = MAX_ATTEMPTS,
    ) -> FailureOutcome:
        """Record a failed run by the claimant: release the claim and retry at `retry_at`, or
        after `give_up_after` attempts give up (done, with the error kept); never, for None.

        `error` is a short reason naming no person. Auditing an abandoned job is the caller's,
        in the same unit of work.
        """
        job = await self._session.scalar(
            select(JobRow)
            .where(JobRow.id == job_id, JobRow.claimed_by == worker, JobRow.done_at.is_(None))
            .with_for_update()
        )
        if job is None:
            return FailureOutcome.NOT_HELD
        job.last_error = error[:_ERROR_LENGTH]
        job.claimed_by = None
        job.lease_until = None
        if give_up_after is not None and job.attempts >= give_up_after:
            job.done_at = now
            outcome = FailureOutcome.ABANDONED
        else:
            job.due_at = retry_at
            outcome = FailureOutcome.WILL_RETRY
        await self._session.flush()
        return outcome
