"""When the reconcile job reads Teams' recording setting again, and how it is retried.

The meeting's reconcile job (`RECONCILE`, run by `recording_enforcement.reconcile_recording`)
reads Teams' setting and makes it match the gate. It is made due within seconds of a change
that could not be made at once (`RECONCILE_SOON`), retried with backoff and never given up
(`RECONCILE_RETRY`). Organisers can change the meeting options in Teams themselves, so the
same job also reads the settings on a schedule (`queue_settings_checks`): at each reminder, at
the start, and every `RUNNING_CHECK` while the meeting runs (`queue_running_check`, after each
run); and the mailbox reader runs it after each decision.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from bot.scheduler.runner import RetryPolicy
from bot.services.change_plan import CANCELLED
from consent_store.stored import MeetingRow
from consent_store.unit_of_work import Store, UnitOfWork

RECONCILE: Final = "recording_reconcile"
RECONCILE_SOON: Final = timedelta(seconds=2)
"""How soon the reconcile job is due after a change that could not be made at once."""
RECONCILE_RETRY: Final = RetryPolicy(
    first=timedelta(seconds=2), longest=timedelta(minutes=2), give_up_after=None
)
RECONCILE_CAUSE: Final = "reconcile"
RUNNING_CHECK: Final = timedelta(minutes=1)
"""How often Teams' settings are read while the meeting runs."""
RUNNING_UNTIL: Final = timedelta(minutes=30)
"""How long after its scheduled end a meeting's settings are still read (meetings overrun)."""


def reconcile_job_key(meeting_id: str) -> str:
    """The key of the job that makes the meeting's Teams setting match its gate."""
    return f"recording:{meeting_id}"


def settings_check_key(meeting_id: str, moment: str) -> str:
    """The key of one of the meeting's scheduled settings checks (`moment`: the reminder's
    hours before the start, "start" or "running")."""
    return f"settings:{meeting_id}:{moment}"


async def queue_settings_checks(
    uow: UnitOfWork, meeting: MeetingRow, reminder_hours: tuple[int, ...]
) -> None:
    """Make the meeting's settings checks due at each reminder still ahead and at the start
    (again, at the new times, for a meeting that moved), in the caller's transaction."""
    jobs, now = uow.jobs, uow.now()
    for hours in reminder_hours:
        due = meeting.starts_at - timedelta(hours=hours)
        if due > now:
            await jobs.requeue(
                settings_check_key(meeting.id, str(hours)), RECONCILE, due, meeting.id
            )
    await jobs.requeue(
        settings_check_key(meeting.id, "start"), RECONCILE, meeting.starts_at, meeting.id
    )


async def queue_reconcile(uow: UnitOfWork, meeting_id: str, delay: timedelta) -> None:
    """Make the meeting's reconcile job due after `delay`, in the caller's transaction (so that
    the decisions written with it and the re-check they need are stored together)."""
    await uow.jobs.requeue(reconcile_job_key(meeting_id), RECONCILE, uow.now() + delay, meeting_id)


async def queue_running_check(store: Store, meeting_id: str) -> None:
    """While the meeting runs (from its real start until `RUNNING_UNTIL` after its scheduled
    end), read its settings again in `RUNNING_CHECK`."""
    async with store.unit_of_work() as uow:
        meeting = await uow.meetings.get(meeting_id)
        now = uow.now()
        started = meeting.started_at is not None or meeting.starts_at <= now
        if meeting.status == CANCELLED or not started or now > meeting.ends_at + RUNNING_UNTIL:
            return
        await uow.jobs.requeue(
            settings_check_key(meeting_id, "running"), RECONCILE, now + RUNNING_CHECK, meeting_id
        )
        await uow.commit()
