"""Claiming a job by its key (the enqueuer doing the work at once, as the mailbox reader does a
legal answer's receipt), on both engines: due or not, only one claimant wins; a job a runner
holds, or one done, cannot be claimed; a claim whose lease ran out can."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from consent_store.jobs import ClaimedJob, Jobs
from consent_store.unit_of_work import Store
from tests.conftest import FakeClock

LEASE = timedelta(minutes=5)
KEY = "legal-receipt:r:given:1"


async def claim_key(store: Store, worker: str) -> ClaimedJob | None:
    async with store.unit_of_work() as uow:
        claimed = await Jobs(uow.session).claim_key(KEY, worker, uow.now(), LEASE)
        await uow.commit()
    return claimed


async def test_only_one_claimant_holds_the_job_and_a_done_job_is_left_alone(
    store: Store, clock: FakeClock
) -> None:
    async with store.unit_of_work() as uow:
        await uow.jobs.schedule(KEY, "legal_answer_receipt", uow.now() + timedelta(minutes=1))
        await uow.commit()

    first, second = await asyncio.gather(claim_key(store, "a"), claim_key(store, "b"))
    (winner,) = [c for c in (first, second) if c is not None]
    assert winner.key == KEY
    assert winner.attempts == 1
    async with store.unit_of_work() as uow:
        assert (
            await uow.jobs.claim_due(
                clock.now + timedelta(minutes=2),
                "runner",
                LEASE,
                10,
                kinds=["legal_answer_receipt"],
            )
            == []
        ), "a runner cannot take it while it is held"
        await uow.commit()

    clock.now += LEASE + timedelta(seconds=1)
    again = await claim_key(store, "c")
    assert again is not None, "the first claimant's lease ran out"
    async with store.unit_of_work() as uow:
        assert await uow.jobs.complete(again.id, "c", uow.now())
        await uow.commit()
    clock.now += LEASE * 2
    assert await claim_key(store, "d") is None, "done"
