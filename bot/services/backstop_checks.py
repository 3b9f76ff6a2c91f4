"""When the recording backstop checks a meeting after it: the job's kind, its delays after the
scheduled end (soon after, and a day later, as Teams makes recordings and transcripts available
after processing) and its retries while Graph is down or slow, and the checks queued (or queued
anew when the meeting moves) in the transaction that keeps the meeting. Apart from the backstop
(`bot.services.recording_backstop`, which runs the job) so that what schedules a meeting's timed
work (`bot.services.timed_work`, `bot.bootstrap`) need not import how it is judged and alerted.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Final

from bot.scheduler.runner import RetryPolicy
from consent_store.stored import MeetingRow
from consent_store.unit_of_work import UnitOfWork

RECORDING_CHECK: Final = "recording_check"
CHECK_DELAYS: Final = (timedelta(minutes=10), timedelta(days=1))
"""When, after a meeting's scheduled end, its recordings and transcripts are listed."""
CHECK_RETRY: Final = RetryPolicy(
    first=timedelta(minutes=1), longest=timedelta(hours=1), give_up_after=48
)
"""Graph down or slow: keep trying for about two days, an hour apart at most."""
RETRY_POLICIES: Final[Mapping[str, RetryPolicy]] = {RECORDING_CHECK: CHECK_RETRY}


def check_job_keys(meeting_id: str) -> tuple[str, ...]:
    return tuple(f"{RECORDING_CHECK}:{meeting_id}:{n}" for n in range(len(CHECK_DELAYS)))


async def queue_recording_checks(uow: UnitOfWork, meeting: MeetingRow, *, again: bool) -> None:
    """Queue (or with `again`, after the meeting moved, queue anew) the checks after its end."""
    jobs = uow.jobs
    for key, delay in zip(check_job_keys(meeting.id), CHECK_DELAYS, strict=True):
        due = meeting.ends_at + delay
        if again:
            await jobs.requeue(key, RECORDING_CHECK, due, meeting.id)
        else:
            await jobs.schedule(key, RECORDING_CHECK, due, meeting.id)
