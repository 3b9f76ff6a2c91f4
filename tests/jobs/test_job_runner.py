"""The job runner on both engines: runs due jobs once and audits them, retries failures with
a growing delay and gives up after the last attempt, releases the claim of a job whose
handler has a bug, cuts off a handler that outlives its lease, and runs on a timer or when
woken until cancelled, getting past a store outage."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from kiota_abstractions.api_error import APIError

from bot.scheduler.failures import JobFailed, failure_reason
from bot.scheduler.runner import Handler, JobRunner, retry_delay
from consent_store.jobs import MAX_ATTEMPTS, ClaimedJob
from consent_store.keys import KeyRing
from consent_store.unit_of_work import Store
from tests.builders import schedule
from tests.conftest import FakeClock
from tests.jobs.stored import AuditedAction, audited, job_row, schedule_job

LEASE = timedelta(minutes=5)
POLL = timedelta(hours=1)


class Recorder:
    """A handler that notes the keys of the jobs it ran."""

    def __init__(self) -> None:
        self.keys: list[str] = []
        self._ran = asyncio.Condition()

    async def __call__(self, job: ClaimedJob) -> None:
        async with self._ran:
            self.keys.append(job.key)
            self._ran.notify_all()

    async def wait_for(self, count: int) -> None:
        async with self._ran:
            await self._ran.wait_for(lambda: len(self.keys) >= count)


async def refuse(job: ClaimedJob) -> None:
    raise JobFailed("meeting has no join link")


def runner_for(
    store: Store, clock: FakeClock, handlers: dict[str, Handler], batch_size: int = 20
) -> JobRunner:
    return JobRunner(store, handlers, "instance-a", LEASE, POLL, clock, batch_size)


async def test_a_due_job_runs_once_and_is_audited(store: Store, clock: FakeClock) -> None:
    meeting_id, _ = await schedule(store)
    await schedule_job(store, "reminder:m1", clock.now, meeting_id=meeting_id)
    await schedule_job(store, "reminder:later", clock.now + timedelta(minutes=1))
    recorder = Recorder()
    runner = runner_for(store, clock, {"reminder": recorder})
    assert [await runner.run_once(), await runner.run_once()] == [1, 0]
    assert recorder.keys == ["reminder:m1"]
    row = await job_row(store, "reminder:m1")
    assert (row.done_at, row.claimed_by, row.attempts) == (clock.now, "instance-a", 1)
    assert (await audited(store))[-1] == AuditedAction(
        "job.done", meeting_id, row.id, {"kind": "reminder"}
    )


def test_the_retry_delay_doubles_from_30_seconds_up_to_30_minutes() -> None:
    assert [retry_delay(attempts).total_seconds() for attempts in range(1, 9)] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1800,
        1800,
    ]
    assert retry_delay(1000) == timedelta(minutes=30)


async def test_a_failing_job_is_retried_with_backoff_then_abandoned(
    store: Store, clock: FakeClock
) -> None:
    await schedule_job(store, "join:m1", clock.now, kind="join")
    runner = runner_for(store, clock, {"join": refuse})
    started = clock.now
    retried_after = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert await runner.run_once() == 1
        assert await runner.run_once() == 0
        row = await job_row(store, "join:m1")
        assert (row.attempts, row.claimed_by, row.last_error) == (
            attempt,
            None,
            "meeting has no join link",
        )
        if row.done_at is None:
            retried_after.append(row.due_at - clock.now)
            clock.now = row.due_at
    assert retried_after == [retry_delay(attempt) for attempt in range(1, MAX_ATTEMPTS)]
    assert row.done_at == clock.now
    clock.now = started + timedelta(days=1)
    assert await runner.run_once() == 0
    actions = [entry.action for entry in await audited(store)]
    assert actions == ["job.failed"] * MAX_ATTEMPTS + ["job.abandoned"]


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        (JobFailed("no consent mailbox"), "no consent mailbox"),
        (APIError("Mailbox of someone@example.org not found", 404), "APIError 404"),
        (httpx.ConnectError("cannot reach graph.example.com"), "ConnectError"),
        (ConnectionResetError("reset"), "ConnectionResetError"),
    ],
)
async def test_handled_failures_are_recorded_by_kind_not_message(
    store: Store, clock: FakeClock, failure: Exception, reason: str
) -> None:
    assert failure_reason(failure) == reason

    async def fail(job: ClaimedJob) -> None:
        raise failure

    await schedule_job(store, "reminder:m1", clock.now)
    assert await runner_for(store, clock, {"reminder": fail}).run_once() == 1
    assert (await job_row(store, "reminder:m1")).last_error == reason


async def test_a_handler_bug_is_raised_after_its_claim_is_released(
    store: Store, clock: FakeClock
) -> None:
    async def broken(job: ClaimedJob) -> None:
        raise ZeroDivisionError

    recorder = Recorder()
    await schedule_job(store, "freeze:m1", clock.now, kind="freeze")
    await schedule_job(store, "reminder:m1", clock.now)
    runner = runner_for(store, clock, {"freeze": broken, "reminder": recorder})
    with pytest.raises(ExceptionGroup) as raised:
        await runner.run_once()
    assert raised.group_contains(ZeroDivisionError)
    assert recorder.keys == ["reminder:m1"]
    row = await job_row(store, "freeze:m1")
    assert (row.claimed_by, row.done_at, row.last_error) == (None, None, "unexpected error")
    assert row.due_at == clock.now + retry_delay(1)


async def test_a_handler_still_running_when_its_lease_ends_is_cut_off(
    store: Store, clock: FakeClock
) -> None:
    async def hang(job: ClaimedJob) -> None:
        await asyncio.sleep(60)

    await schedule_job(store, "join:m1", clock.now, kind="join")
    runner = JobRunner(store, {"join": hang}, "instance-a", timedelta(seconds=0.05), POLL, clock)
    async with asyncio.timeout(5):
        assert await runner.run_once() == 1
    row = await job_row(store, "join:m1")
    assert (row.claimed_by, row.last_error) == (None, "TimeoutError")


async def test_running_forever_drains_due_jobs_when_woken_and_stops_when_cancelled(
    store: Store, clock: FakeClock
) -> None:
    recorder = Recorder()
    runner = runner_for(store, clock, {"reminder": recorder}, batch_size=3)
    await schedule_job(store, "reminder:first", clock.now)
    running = asyncio.create_task(runner.run_forever())
    async with asyncio.timeout(5):
        await recorder.wait_for(1)
        for number in range(7):
            await schedule_job(store, f"reminder:{number}", clock.now)
        runner.wake()
        await recorder.wait_for(8)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    assert sorted(recorder.keys) == [f"reminder:{number}" for number in range(7)] + [
        "reminder:first"
    ]


async def test_running_forever_gets_past_a_store_outage(
    tmp_path: Path, key_ring: KeyRing, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    unreachable = Store.open(f"sqlite+aiosqlite:///{tmp_path}/missing/store.db", key_ring, clock)
    runner = JobRunner(
        unreachable, {"reminder": Recorder()}, "instance-a", LEASE, timedelta(0), clock
    )
    with caplog.at_level(logging.WARNING, logger="bot.scheduler.runner"):
        running = asyncio.create_task(runner.run_forever())
        await asyncio.sleep(0.2)
        running.cancel()
        with pytest.raises(asyncio.CancelledError):
            await running
    await unreachable.close()
    assert len(caplog.messages) > 1
    assert set(caplog.messages) == {"running jobs: the store failed (OperationalError)"}


async def test_a_runner_stopped_mid_run_gives_its_claim_back_at_once(
    store: Store, clock: FakeClock
) -> None:
    started = asyncio.Event()

    async def hang(job: ClaimedJob) -> None:
        started.set()
        await asyncio.Event().wait()

    await schedule_job(store, "join:m1", clock.now, kind="join")
    running = asyncio.create_task(runner_for(store, clock, {"join": hang}).run_forever())
    async with asyncio.timeout(5):
        await started.wait()
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running

    row = await job_row(store, "join:m1")
    assert (row.claimed_by, row.lease_until, row.done_at, row.attempts) == (None, None, None, 0)
    recorder = Recorder()
    other = JobRunner(store, {"join": recorder}, "instance-b", LEASE, POLL, clock)
    assert await other.run_once() == 1
    assert recorder.keys == ["join:m1"]
