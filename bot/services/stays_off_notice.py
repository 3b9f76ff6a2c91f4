"""The private notice telling the organising staff that recording stays off until the meeting
ends, and why: given once the recording gate closes for good, and never lost.

When the gate closes for good (`recording_notes.note_closed_for_good`) the store notes why
(the gate's blocker codes) and, in the same transaction, queues this notice as a durable job
(`STAYS_OFF`) due `BACKSTOP_AFTER` later. The recording guard gives the notice at once, in the
background (`OrganiserUpdates`), and marks the job done once the chat has taken it. If that
does not happen (the process stopped, the store failed just after the closing was noted, or
the chat refused the notice, audited as `recording.notice_failed`), the job gives it instead,
retried by the job runner like any job. So the notice is given at least once, and twice only
when it was given and the job could not then be marked done.

The notice describes attendees as "someone": it names no one, though only staff see it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Final

from bot.announcement.notices import recording_stays_off
from bot.policy.blockers import Blocker, BlockerCode, blocker_sentences
from bot.ports.failures import CHAT_FAILURES
from bot.scheduler.failures import JobFailed
from bot.scheduler.runner import Handler
from bot.services.live_meeting import MeetingChat
from consent_store.jobs import ClaimedJob
from consent_store.recording_watch import recording_closed_reasons
from consent_store.repository import MeetingNotFound
from consent_store.stored import MeetingRow
from consent_store.unit_of_work import Store, UnitOfWork
from domain.terms import Topic

log = logging.getLogger(__name__)

STAYS_OFF: Final = "recording.stays_off_notice"
"""The job giving the notice when the guard did not."""
BACKSTOP_AFTER: Final = timedelta(seconds=30)
"""How long the guard has to give the notice before the job gives it."""


def stays_off_job_key(meeting_id: str) -> str:
    return f"stays-off:{meeting_id}"


async def queue_stays_off(uow: UnitOfWork, meeting_id: str) -> None:
    """Queue the notice's job in the caller's transaction: the one noting the closing."""
    await uow.jobs.schedule(
        stays_off_job_key(meeting_id), STAYS_OFF, uow.now() + BACKSTOP_AFTER, meeting_id
    )


def _closed_reasons(meeting: MeetingRow) -> list[Blocker]:
    """Why the gate closed, as noted when it did (a code this version does not know is
    logged and left out)."""
    reasons: list[Blocker] = []
    for code in recording_closed_reasons(meeting):
        try:
            known = BlockerCode(code)
        except ValueError:
            log.warning("a reason recording closed is not known to this version: %s", code)
            continue
        if known is not BlockerCode.CLOSED_SINCE_START:
            reasons.append(Blocker(known, Topic.RECORDING))
    return reasons


async def _give(store: Store, chat: MeetingChat, meeting_id: str) -> None:
    async with store.reading() as uow:
        try:
            meeting = await uow.meetings.get(meeting_id)
        except MeetingNotFound:
            log.warning("recording stays off in a meeting no longer stored: no one to tell")
            return
    if meeting.teams_chat_thread_id is None:
        return
    text = recording_stays_off(blocker_sentences(_closed_reasons(meeting), lambda _: None))
    await chat.notify_privately(meeting.teams_chat_thread_id, [meeting.organiser_user_id], text)


async def give_stays_off(store: Store, chat: MeetingChat, meeting_id: str) -> None:
    """Give the notice now and mark its job done; raises what the chat raised (the job is
    then left to give it)."""
    await _give(store, chat, meeting_id)
    async with store.unit_of_work() as uow:
        await uow.jobs.complete_unclaimed([stays_off_job_key(meeting_id)], uow.now())
        await uow.commit()


def stays_off_handlers(store: Store, chat: MeetingChat) -> Mapping[str, Handler]:
    """The job's handler: gives the notice; a chat that refuses it fails the run, retried."""

    async def give(job: ClaimedJob) -> None:
        if job.meeting_id is None:
            return
        try:
            await _give(store, chat, job.meeting_id)
        except CHAT_FAILURES as error:
            raise JobFailed(f"chat refused the notice: {type(error).__name__}") from error

    return {STAYS_OFF: give}
