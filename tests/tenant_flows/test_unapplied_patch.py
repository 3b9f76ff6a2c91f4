"""Graph answers the PATCH that switches recording off, but does not apply it (the sandbox's
test-only `ignore_writes` fault; sandbox/FIDELITY.md, "A PATCH answered but not applied"),
against the sandbox tenant on both engines with the product's mailbox reader and job runner.

Everyone agreed, so Teams allows recording; the parent withdraws. The bot's PATCH is answered
200 with the meeting unchanged each time: the bot reads the setting back, finds recording
still allowed, tries again at once, then marks the meeting as needing attention and leaves the
change to the reconcile job; the audit says the change failed and never that recording was
switched off. While Graph still ignores the PATCH the job fails and is kept for a retry; once
the fault ends the job switches recording off, and only then is it audited as forbidden."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.scheduler.runner import JobRunner
from bot.services.recording_checks import RECONCILE_RETRY, RECONCILE_SOON, reconcile_job_key
from bot.services.recording_enforcement import ATTENTION, reconcile_handlers
from bot.services.recording_setting import QUICK_RETRY_DELAYS
from consent_store.tables import AuditEntryRow, JobRow
from tests.conftest import FakeClock
from tests.tenant_flows.conftest import People
from tests.tenant_flows.test_fail_closed import (  # noqa: F401
    Meeting,
    everyone_says_yes,
    meeting,
    service,
    withdraws,
)

ATTEMPTS = 1 + len(QUICK_RETRY_DELAYS)
"""The PATCHes one change is tried with at once, each read back."""


async def audited(scheduled: Meeting, action: str) -> list[dict[str, object]]:
    async with scheduled.store.reading() as uow:
        details = await uow.session.scalars(
            select(AuditEntryRow.detail)
            .where(AuditEntryRow.meeting_id == scheduled.meeting_id, AuditEntryRow.action == action)
            .order_by(AuditEntryRow.seq)
        )
        return [json.loads(detail) for detail in details]


async def reconcile_job(scheduled: Meeting) -> JobRow:
    async with scheduled.store.reading() as uow:
        job = await uow.session.scalar(
            select(JobRow).where(JobRow.key == reconcile_job_key(scheduled.meeting_id))
        )
    assert job is not None
    return job


@pytest.mark.usefixtures("graph_retried_at_once")
async def test_a_patch_graph_answers_but_does_not_apply_is_not_counted_as_recording_off(
    meeting: Meeting,  # noqa: F811
    people: People,
    clock: FakeClock,
) -> None:
    await everyone_says_yes(meeting, people)
    await meeting.reader().catch_up()
    assert meeting.teams_allows_recording()
    faults = meeting.sandbox.tenant.faults
    faults.ignore_writes(2 * ATTEMPTS, path_contains="/onlineMeetings/")

    await withdraws(meeting, people)
    assert await meeting.reader().catch_up() == {"recorded": 1}

    assert meeting.teams_allows_recording()
    assert faults.describe()["requestFaults"][0]["remaining"] == ATTEMPTS
    (failed,) = await audited(meeting, "recording.setting_failed")
    assert (failed["wanted"], failed["error"]) == (False, "not confirmed by Teams")
    assert await audited(meeting, "recording.forbidden") == []
    async with meeting.store.reading() as uow:
        row = await uow.meetings.get(meeting.meeting_id)
    assert (row.needs_attention, row.teams_recording_allowed) == (ATTENTION, True)
    job = await reconcile_job(meeting)
    assert (job.done_at, job.due_at) == (None, clock.now + RECONCILE_SOON)

    reconcile, retry = reconcile_handlers(meeting.store, meeting.meetings, None)
    runner = JobRunner(
        meeting.store,
        reconcile,
        "instance-b",
        timedelta(minutes=1),
        timedelta(seconds=1),
        clock=meeting.store.clock,
        retry=retry,
    )
    clock.now += RECONCILE_SOON
    assert await runner.run_once() == 1
    assert meeting.teams_allows_recording()
    job = await reconcile_job(meeting)
    assert (job.done_at, job.last_error) == (None, "not confirmed by Teams")
    assert await audited(meeting, "recording.forbidden") == []
    assert faults.describe()["requestFaults"] == [], "the fault has ended"

    clock.now += RECONCILE_RETRY.first
    assert await runner.run_once() == 1

    assert not meeting.teams_allows_recording()
    (forbidden,) = await audited(meeting, "recording.forbidden")
    assert forbidden["cause"] == "reconcile"
    assert forbidden["blockers"] == ["withdrawn"]
    async with meeting.store.reading() as uow:
        row = await uow.meetings.get(meeting.meeting_id)
    assert (row.needs_attention, row.teams_recording_allowed) == (None, False)
    assert (await reconcile_job(meeting)).done_at is not None
