"""The job repository on both engines: scheduling by key, claiming under a lease, completing
and failing only by the claimant, giving up after the last attempt, moving and cancelling."""

from __future__ import annotations

from datetime import datetime, timedelta

from consent_store.jobs import CANCELLED, MAX_ATTEMPTS, ClaimedJob, FailureOutcome, Jobs
from consent_store.unit_of_work import Store
from tests.builders import schedule
from tests.conftest import FakeClock
from tests.jobs.stored import job_row, job_rows, schedule_job

LEASE = timedelta(minutes=5)
KINDS = ("reminder", "freeze")


async def claim(
    store: Store, now: datetime, worker: str, limit: int = 10, kinds: tuple[str, ...] = KINDS
) -> list[ClaimedJob]:
    async with store.unit_of_work() as uow:
        claimed = await Jobs(uow.session).claim_due(now, worker, LEASE, limit, kinds=kinds)
        await uow.commit()
    return claimed


async def complete(store: Store, job_id: str, worker: str, now: datetime) -> bool:
    async with store.unit_of_work() as uow:
        completed = await Jobs(uow.session).complete(job_id, worker, now)
        await uow.commit()
    return completed


async def fail(
    store: Store, job_id: str, worker: str, now: datetime, retry_at: datetime
) -> FailureOutcome:
    async with store.unit_of_work() as uow:
        outcome = await Jobs(uow.session).fail(job_id, worker, now, "Graph unavailable", retry_at)
        await uow.commit()
    return outcome


async def test_scheduling_the_same_key_twice_keeps_one_job(store: Store, clock: FakeClock) -> None:
    assert await schedule_job(store, "reminder:m1", clock.now)
    assert not await schedule_job(store, "reminder:m1", clock.now + timedelta(hours=1), "freeze")
    [row] = await job_rows(store)
    assert (row.key, row.kind, row.due_at, row.attempts) == (
        "reminder:m1",
        "reminder",
        clock.now,
        0,
    )


async def test_a_due_job_is_claimed_by_one_worker_only(store: Store, clock: FakeClock) -> None:
    await schedule_job(store, "reminder:m1", clock.now - timedelta(minutes=1))
    [job] = await claim(store, clock.now, "instance-a")
    assert (job.key, job.kind, job.meeting_id, job.attempts) == ("reminder:m1", "reminder", None, 1)
    assert job.lease_until == clock.now + LEASE
    assert await claim(store, clock.now, "instance-b") == []
    assert (await job_row(store, "reminder:m1")).claimed_by == "instance-a"


async def test_a_job_not_yet_due_is_not_claimed(store: Store, clock: FakeClock) -> None:
    await schedule_job(store, "reminder:m1", clock.now + timedelta(minutes=1))
    assert await claim(store, clock.now, "instance-a") == []
    assert len(await claim(store, clock.now + timedelta(minutes=1), "instance-a")) == 1


async def test_only_the_kinds_a_worker_runs_are_claimed(store: Store, clock: FakeClock) -> None:
    await schedule_job(store, "reminder:m1", clock.now)
    await schedule_job(store, "join:m1", clock.now, kind="join")
    claimed = await claim(store, clock.now, "instance-a", kinds=("reminder",))
    assert [job.key for job in claimed] == ["reminder:m1"]


async def test_a_claim_takes_the_earliest_due_jobs_up_to_its_limit(
    store: Store, clock: FakeClock
) -> None:
    for minutes in (3, 1, 4, 2):
        await schedule_job(store, f"reminder:{minutes}", clock.now - timedelta(minutes=minutes))
    first = await claim(store, clock.now, "instance-a", limit=3)
    assert [job.key for job in first] == ["reminder:4", "reminder:3", "reminder:2"]
    assert [job.key for job in await claim(store, clock.now, "instance-b")] == ["reminder:1"]


async def test_a_completed_job_is_not_claimed_again(store: Store, clock: FakeClock) -> None:
    await schedule_job(store, "reminder:m1", clock.now)
    [job] = await claim(store, clock.now, "instance-a")
    assert await complete(store, job.id, "instance-a", clock.now)
    later = clock.now + 2 * LEASE
    assert await claim(store, later, "instance-b") == []
    assert not await complete(store, job.id, "instance-a", later)
    row = await job_row(store, "reminder:m1")
    assert (row.done_at, row.claimed_by, row.last_error) == (clock.now, "instance-a", None)


async def test_an_expired_claim_is_taken_over_and_the_first_worker_cannot_finish_it(
    store: Store, clock: FakeClock
) -> None:
    await schedule_job(store, "reminder:m1", clock.now)
    [first] = await claim(store, clock.now, "instance-a")
    assert await claim(store, first.lease_until, "instance-b") == []
    after_lease = first.lease_until + timedelta(seconds=1)
    [second] = await claim(store, after_lease, "instance-b")
    assert (second.id, second.attempts) == (first.id, 2)
    assert not await complete(store, first.id, "instance-a", after_lease)
    assert await fail(store, first.id, "instance-a", after_lease, after_lease) is (
        FailureOutcome.NOT_HELD
    )
    assert await complete(store, second.id, "instance-b", after_lease)
    row = await job_row(store, "reminder:m1")
    assert (row.done_at, row.claimed_by, row.attempts) == (after_lease, "instance-b", 2)


async def test_a_failed_job_is_released_until_its_retry_time(
    store: Store, clock: FakeClock
) -> None:
    await schedule_job(store, "reminder:m1", clock.now)
    [job] = await claim(store, clock.now, "instance-a")
    retry_at = clock.now + timedelta(seconds=30)
    assert await fail(store, job.id, "instance-a", clock.now, retry_at) is FailureOutcome.WILL_RETRY
    row = await job_row(store, "reminder:m1")
    assert (row.due_at, row.claimed_by, row.lease_until, row.done_at, row.last_error) == (
        retry_at,
        None,
        None,
        None,
        "Graph unavailable",
    )
    assert await claim(store, retry_at - timedelta(seconds=1), "instance-b") == []
    [again] = await claim(store, retry_at, "instance-b")
    assert again.attempts == 2


async def test_a_job_is_given_up_after_its_last_attempt(store: Store, clock: FakeClock) -> None:
    await schedule_job(store, "reminder:m1", clock.now)
    outcomes = []
    for _ in range(MAX_ATTEMPTS):
        [job] = await claim(store, clock.now, "instance-a")
        outcomes.append(await fail(store, job.id, "instance-a", clock.now, clock.now))
    assert outcomes == [FailureOutcome.WILL_RETRY] * (MAX_ATTEMPTS - 1) + [FailureOutcome.ABANDONED]
    assert await claim(store, clock.now + timedelta(days=1), "instance-a") == []
    row = await job_row(store, "reminder:m1")
    assert (row.done_at, row.attempts, row.last_error) == (
        clock.now,
        MAX_ATTEMPTS,
        "Graph unavailable",
    )


async def test_a_long_error_is_cut_to_fit(store: Store, clock: FakeClock) -> None:
    await schedule_job(store, "reminder:m1", clock.now)
    [job] = await claim(store, clock.now, "instance-a")
    async with store.unit_of_work() as uow:
        await Jobs(uow.session).fail(job.id, "instance-a", clock.now, "x" * 500, clock.now)
        await uow.commit()
    assert (await job_row(store, "reminder:m1")).last_error == "x" * 200


async def test_rescheduling_moves_only_an_unfinished_job(store: Store, clock: FakeClock) -> None:
    await schedule_job(store, "reminder:moved", clock.now + timedelta(hours=1))
    await schedule_job(store, "reminder:done", clock.now)
    [done] = await claim(store, clock.now, "instance-a")
    await complete(store, done.id, "instance-a", clock.now)
    later = clock.now + timedelta(days=2)
    async with store.unit_of_work() as uow:
        jobs = Jobs(uow.session)
        moved = [await jobs.reschedule(key, later) for key in ("reminder:moved", "reminder:done")]
        assert not await jobs.reschedule("reminder:unknown", later)
        await uow.commit()
    assert moved == [True, False]
    assert (await job_row(store, "reminder:moved")).due_at == later
    assert await claim(store, later - timedelta(seconds=1), "instance-a") == []
    assert [job.key for job in await claim(store, later, "instance-a")] == ["reminder:moved"]


async def test_cancelling_a_meeting_finishes_its_unfinished_jobs(
    store: Store, clock: FakeClock
) -> None:
    cancelled_meeting, _ = await schedule(store)
    other_meeting, _ = await schedule(store)
    await schedule_job(store, "reminder:c", clock.now, meeting_id=cancelled_meeting)
    await schedule_job(
        store, "freeze:c", clock.now + timedelta(days=1), "freeze", cancelled_meeting
    )
    await schedule_job(
        store, "reminder:o", clock.now + timedelta(hours=1), meeting_id=other_meeting
    )
    [running] = await claim(store, clock.now, "instance-a", limit=1)
    assert running.key == "reminder:c"
    async with store.unit_of_work() as uow:
        assert await Jobs(uow.session).cancel_for_meeting(cancelled_meeting, clock.now) == 2
        await uow.commit()
    assert not await complete(store, running.id, "instance-a", clock.now)
    for key in ("reminder:c", "freeze:c"):
        row = await job_row(store, key)
        assert (row.done_at, row.last_error) == (clock.now, CANCELLED)
    remaining = await claim(store, clock.now + timedelta(days=2), "instance-b")
    assert [job.key for job in remaining] == ["reminder:o"]
