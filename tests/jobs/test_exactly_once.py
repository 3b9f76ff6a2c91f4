"""Several bot instances on one database, each with its own store and worker id, run the
same due jobs at the same time: every job runs exactly once, on both engines."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.scheduler.runner import JobRunner
from consent_store.audit import verify_chain
from consent_store.jobs import ClaimedJob, Jobs
from consent_store.keys import KeyRing
from consent_store.unit_of_work import Store
from tests.conftest import FakeClock
from tests.jobs.stored import audited, job_rows

JOB_COUNT = 200
INSTANCES = ("instance-a", "instance-b", "instance-c", "instance-d")
LEASE = timedelta(minutes=5)
POLL = timedelta(hours=1)


async def run_until_nothing_is_due(runner: JobRunner) -> None:
    while await runner.run_once():
        continue


async def test_several_instances_run_every_due_job_exactly_once(
    database_url: str, key_ring: KeyRing, clock: FakeClock
) -> None:
    stores = [Store.open(database_url, key_ring, clock) for _ in INSTANCES]
    try:
        async with stores[0].unit_of_work() as uow:
            jobs = Jobs(uow.session)
            for number in range(JOB_COUNT):
                due_at = clock.now - timedelta(seconds=number)
                await jobs.schedule(f"reminder:{number:03}", "reminder", due_at)
            await uow.commit()
        ran: list[str] = []

        async def remind(job: ClaimedJob) -> None:
            await asyncio.sleep(0)
            ran.append(job.key)

        runners = [
            JobRunner(store, {"reminder": remind}, worker, LEASE, POLL, clock, batch_size=5)
            for store, worker in zip(stores, INSTANCES, strict=True)
        ]
        async with asyncio.timeout(10):
            await asyncio.gather(*(run_until_nothing_is_due(runner) for runner in runners))

        assert len(ran) == JOB_COUNT
        assert set(ran) == {f"reminder:{number:03}" for number in range(JOB_COUNT)}
        rows = await job_rows(stores[1])
        assert {(row.done_at, row.attempts) for row in rows} == {(clock.now, 1)}
        assert len({row.claimed_by for row in rows}) > 1
        assert [entry.action for entry in await audited(stores[1])] == ["job.done"] * JOB_COUNT
        async with stores[1].unit_of_work() as uow:
            assert (await verify_chain(uow.session, key_ring.audit_key)).intact
    finally:
        for store in stores:
            await store.close()
