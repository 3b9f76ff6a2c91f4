"""The job runner: claims due jobs, runs their handlers, and records how each run ended.

Claiming is one unit of work. Each handler then runs outside any transaction, limited to the
claim's lease, and its outcome is recorded, with its audit entry, in a unit of work of its
own. A failed run is retried after a growing delay and given up after `MAX_ATTEMPTS`
attempts, unless its kind has a retry policy of its own (`RetryPolicy`: keeping Teams'
recording setting in line is retried within seconds and never given up). An error no handler
is expected to raise (a bug) is recorded as a failed run too, so the claim is released and the
job retried later, and is then raised from `run_once`. A runner cancelled mid-run (the bot is
stopping) gives its claims back, uncounted, so any instance claims those jobs at once; if the
process dies instead, the job stays claimed until its lease runs out, and then any instance
claims it again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from bot import instruments
from bot.scheduler.failures import HANDLED_FAILURES, failure_reason
from consent_store.audit import AuditEvent
from consent_store.errors import STORE_FAILURES
from consent_store.jobs import MAX_ATTEMPTS, ClaimedJob, FailureOutcome
from consent_store.unit_of_work import Clock, Store, utc_now

log = logging.getLogger(__name__)

Handler = Callable[[ClaimedJob], Awaitable[None]]

FIRST_RETRY_DELAY = timedelta(seconds=30)
LONGEST_RETRY_DELAY = timedelta(minutes=30)
UNEXPECTED_ERROR = "unexpected error"
_MOST_DOUBLINGS = 16  # far past the longest delay; keeps the product within timedelta's range


@dataclass(frozen=True)
class RetryPolicy:
    """How a kind of job is retried: `first` after a first failed attempt, doubling with each
    one after, at most `longest`; given up after `give_up_after` attempts (None: never)."""

    first: timedelta = FIRST_RETRY_DELAY
    longest: timedelta = LONGEST_RETRY_DELAY
    give_up_after: int | None = MAX_ATTEMPTS

    def delay(self, attempts: int) -> timedelta:
        doublings = min(max(attempts - 1, 0), _MOST_DOUBLINGS)
        return min(self.first * (1 << doublings), self.longest)


DEFAULT_RETRY = RetryPolicy()


def retry_delay(attempts: int) -> timedelta:
    """30 s after a first failed attempt, doubling with each one after, at most 30 minutes."""
    return DEFAULT_RETRY.delay(attempts)


def _audit_event(action: str, job: ClaimedJob) -> AuditEvent:
    return AuditEvent(
        action, meeting_id=job.meeting_id, subject_id=job.id, detail={"kind": job.kind}
    )


class JobRunner:
    """Runs due jobs of the kinds it has handlers for, every `poll_interval` or when woken.

    `worker_id` names this bot instance in claims (at most 64 characters, unique among the
    instances sharing the database). A handler must finish within `lease`; one still running
    when the lease ends is cancelled and its run counted as failed.
    """

    def __init__(
        self,
        store: Store,
        handlers: Mapping[str, Handler],
        worker_id: str,
        lease: timedelta,
        poll_interval: timedelta,
        clock: Clock = utc_now,
        batch_size: int = 20,
        retry: Mapping[str, RetryPolicy] | None = None,
    ) -> None:
        self._store = store
        self._handlers = handlers
        self._worker_id = worker_id
        self._lease = lease
        self._poll_interval = poll_interval
        self._clock = clock
        self._batch_size = batch_size
        self._retry = retry or {}
        self._woken = asyncio.Event()

    def wake(self) -> None:
        """Look for due jobs now rather than at the next poll."""
        self._woken.set()

    async def run_forever(self) -> None:
        """Run due jobs until cancelled. A store failure is logged and tried again at the next
        poll; anything else a run raises stops the runner."""
        while True:
            try:
                await self._run_until_none_left()
            except* STORE_FAILURES as outage:
                names = sorted({type(failure).__name__ for failure in outage.exceptions})
                log.warning("running jobs: the store failed (%s)", ", ".join(names))
            await self._next_poll()

    async def run_once(self) -> int:
        """Claim up to a batch of due jobs and run them together; returns how many it claimed.

        Errors other than the handled failures are raised, as an exception group, once every
        job of the batch has finished and had its outcome recorded.
        """
        deadline = asyncio.get_running_loop().time() + self._lease.total_seconds()
        async with self._store.unit_of_work() as uow:
            jobs = await uow.jobs.claim_due(
                self._clock(),
                self._worker_id,
                self._lease,
                self._batch_size,
                kinds=self._handlers.keys(),
            )
            await uow.commit()
        outcomes = await asyncio.gather(
            *(self._run(job, deadline) for job in jobs), return_exceptions=True
        )
        errors = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
        if errors:
            raise BaseExceptionGroup("job runs ended in errors", errors)
        return len(jobs)

    async def _run_until_none_left(self) -> None:
        while await self.run_once() == self._batch_size:
            continue

    async def _next_poll(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._woken.wait(), self._poll_interval.total_seconds())
        self._woken.clear()

    async def _run(self, job: ClaimedJob, deadline: float) -> None:
        attributes: dict[str, str | int] = {
            "iass.job.id": job.id,
            "iass.job.kind": job.kind,
            "iass.job.attempt": job.attempts,
        }
        if job.meeting_id is not None:
            attributes["iass.meeting.id"] = job.meeting_id
        with instruments.span("job.run", attributes):
            await self._run_traced(job, deadline)

    async def _run_traced(self, job: ClaimedJob, deadline: float) -> None:
        try:
            async with asyncio.timeout_at(deadline):
                await self._handlers[job.kind](job)
        except asyncio.CancelledError:
            await self._give_back(job)
            raise
        except HANDLED_FAILURES as failure:
            await self._record_failure(job, failure_reason(failure))
        except Exception:
            await self._record_failure(job, UNEXPECTED_ERROR)
            raise
        else:
            await self._record_done(job)

    async def _give_back(self, job: ClaimedJob) -> None:
        try:
            async with self._store.unit_of_work() as uow:
                await uow.jobs.give_back(job.id, self._worker_id)
                await uow.commit()
        except STORE_FAILURES as failure:
            log.warning(
                "job %s (%s) stays claimed until its lease runs out: %s",
                job.id,
                job.kind,
                type(failure).__name__,
            )

    async def _record_done(self, job: ClaimedJob) -> None:
        async with self._store.unit_of_work() as uow:
            completed = await uow.jobs.complete(job.id, self._worker_id, self._clock())
            if completed:
                await uow.audit(_audit_event("job.done", job))
            await uow.commit()
        if not completed:
            log.warning("job %s (%s) finished after its claim was lost", job.id, job.kind)

    async def _record_failure(self, job: ClaimedJob, reason: str) -> None:
        instruments.current_failed(reason)
        policy = self._retry.get(job.kind, DEFAULT_RETRY)
        delay = policy.delay(job.attempts)
        async with self._store.unit_of_work() as uow:
            now = self._clock()
            outcome = await uow.jobs.fail(
                job.id, self._worker_id, now, reason, now + delay, policy.give_up_after
            )
            if outcome is not FailureOutcome.NOT_HELD:
                await uow.audit(_audit_event("job.failed", job))
            if outcome is FailureOutcome.ABANDONED:
                await uow.audit(_audit_event("job.abandoned", job))
            await uow.commit()
        if outcome is FailureOutcome.WILL_RETRY and delay < self._poll_interval:
            asyncio.get_running_loop().call_later(delay.total_seconds(), self.wake)
        log.warning(
            "job %s (%s) attempt %d failed (%s): %s",
            job.id,
            job.kind,
            job.attempts,
            reason,
            outcome.value,
        )
