"""Timed work around a meeting: reminders for missing consent replies, and the start.

Scheduling queues the jobs (reminders at configured hours before the start, and the start
itself); the job runner claims each once across bot instances. A reminder goes to each
attendee who has not answered something they were asked. At the start (unless the meeting
was seen starting earlier, `meeting_start`) the gate's answer is frozen for the statistics
(later replies never count as consent) and Teams' recording setting is made to match once
more. With the last reminder, and again at the start, the
organiser is warned if recording was requested but not everyone has consented.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from bot.config import ServiceProfile
from bot.mail.consent_request import describe_when, request_subject
from bot.policy.consent_history import latest_pre_start_decision
from bot.ports.mail import Mailbox, MailSender, OutgoingEmail
from bot.ports.meetings import Meetings
from bot.scheduler.runner import Handler
from bot.services.backstop_checks import queue_recording_checks
from bot.services.meeting_start import StartSource, note_start
from bot.services.organiser_notices import Notice, warn_if_without_consent
from bot.services.recording_enforcement import enforce_recording
from consent_store.audit import AuditEvent
from consent_store.jobs import ClaimedJob
from consent_store.stored import MeetingRow
from consent_store.unit_of_work import Store, UnitOfWork
from domain.terms import Topic
from templates import environment

REMINDER = "consent_reminder"
START = "meeting_start"
JOIN = "meeting_join"


def join_job_key(meeting_id: str) -> str:
    """The key of the job that joins the meeting's call at its start (`MeetingOpening`)."""
    return f"join:{meeting_id}"


async def queue_meeting_jobs(
    uow: UnitOfWork, meeting: MeetingRow, reminder_hours: tuple[int, ...]
) -> None:
    """Queue the meeting's reminders (those still in the future), its start, joining its
    call and the checks for recordings after its end."""
    jobs = uow.jobs
    now = uow.now()
    for hours in reminder_hours:
        due = meeting.starts_at - timedelta(hours=hours)
        if due > now:
            await jobs.schedule(f"reminder:{meeting.id}:{hours}", REMINDER, due, meeting.id)
    await jobs.schedule(f"start:{meeting.id}", START, meeting.starts_at, meeting.id)
    await jobs.schedule(join_job_key(meeting.id), JOIN, meeting.starts_at, meeting.id)
    await queue_recording_checks(uow, meeting, again=False)


async def requeue_meeting_jobs(
    uow: UnitOfWork, meeting: MeetingRow, reminder_hours: tuple[int, ...]
) -> None:
    """After the meeting moved to `meeting.starts_at`: reminders waiting for the old time are
    dropped, and the reminders still in the future for the new time (sent before or not) and
    the start are due again at the new time."""
    jobs = uow.jobs
    now = uow.now()
    await jobs.cancel_for_meeting(meeting.id, now, kinds=(REMINDER,))
    for hours in reminder_hours:
        due = meeting.starts_at - timedelta(hours=hours)
        if due > now:
            await jobs.requeue(f"reminder:{meeting.id}:{hours}", REMINDER, due, meeting.id)
    await jobs.requeue(f"start:{meeting.id}", START, meeting.starts_at, meeting.id)
    await jobs.requeue(join_job_key(meeting.id), JOIN, meeting.starts_at, meeting.id)
    await queue_recording_checks(uow, meeting, again=True)


def meeting_job_handlers(
    store: Store, meetings: Meetings, mailbox: Mailbox, service: ServiceProfile
) -> Mapping[str, Handler]:
    async def remind(job: ClaimedJob) -> None:
        if job.meeting_id is not None:
            await send_reminders(store, mailbox, service, job.meeting_id)
            if await is_last_reminder(store, job):
                await warn_if_without_consent(
                    store, mailbox, job.meeting_id, Notice.WILL_START_WITHOUT_CONSENT
                )

    async def start(job: ClaimedJob) -> None:
        if job.meeting_id is not None:
            await freeze_at_start(store, meetings, mailbox, job.meeting_id)

    return {REMINDER: remind, START: start}


async def send_reminders(
    store: Store, mailbox: MailSender, service: ServiceProfile, meeting_id: str
) -> int:
    """Remind each attendee who has not answered what they were asked; returns how many."""
    async with store.reading() as uow:
        meeting = await uow.meetings.get(meeting_id)
        if meeting.status == "cancelled":
            return 0
        facts = await uow.meetings.facts(meeting_id)
        requests = await uow.meetings.latest_requests(meeting_id)
        due = []
        for attendee in await uow.meetings.attendees(meeting_id):
            request = requests.get(attendee.id)
            if request is None:
                continue
            asked = [Topic(topic) for topic in request.topics]
            if all(latest_pre_start_decision(facts, attendee.id, t) for t in asked):
                continue
            name = uow.decrypt(attendee.name_enc, "attendees", "name", attendee.id)
            address = uow.decrypt(attendee.email_enc, "attendees", "email", attendee.id)
            if name and address:
                due.append((attendee.id, name, address, Topic.DOCUMENTS in asked))
    context = {
        "reference": meeting.reference,
        "when": describe_when(meeting.starts_at, meeting.ends_at),
        "original_subject": request_subject(service, meeting.reference),
        "service": service,
    }
    env = environment()
    for _, name, address, documents in due:
        values = {**context, "name": name, "documents": documents}
        await mailbox.send(
            OutgoingEmail(
                to=address,
                subject=f"Reminder: {request_subject(service, meeting.reference)}",
                text=env.get_template("email/reminder.txt.j2").render(values),
                html=env.get_template("email/reminder.html.j2").render(values),
            )
        )
    async with store.unit_of_work() as uow:
        for attendee_id, *_ in due:
            await uow.audit(
                AuditEvent("consent.reminded", meeting_id=meeting_id, subject_id=attendee_id)
            )
        await uow.commit()
    return len(due)


async def is_last_reminder(store: Store, job: ClaimedJob) -> bool:
    """Whether no reminder of the job's meeting is due after it (cancelled ones aside)."""
    async with store.reading() as uow:
        return not await uow.jobs.any_due_after(job, REMINDER)


async def freeze_at_start(
    store: Store, meetings: Meetings, mailbox: Mailbox, meeting_id: str
) -> None:
    """At the scheduled start: note it as the meeting's start unless it was seen starting
    earlier (which froze the gate's answer then), and make Teams match the gate; nothing for a
    meeting that was cancelled."""
    async with store.unit_of_work() as uow:
        meeting = await uow.meetings.get(meeting_id)
        if meeting.status == "cancelled":
            return
        await note_start(uow, meeting_id, StartSource.SCHEDULE, at=meeting.starts_at)
        await uow.commit()
    await enforce_recording(store, meetings, meeting_id, cause="start", mailbox=mailbox)
    await warn_if_without_consent(store, mailbox, meeting_id, Notice.STARTED_WITHOUT_CONSENT)
