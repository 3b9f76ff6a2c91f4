"""Timed work around a meeting: reminders for missing consent replies, and the start.

Scheduling queues the jobs (reminders at configured hours before the start, and the start
itself); the job runner claims each once across bot instances. A reminder goes to each
attendee who has not answered something they were asked. At the start the gate's answer is
frozen for the statistics (later replies never count as consent) and Teams' recording
setting is made to match once more.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from bot.config import ServiceProfile
from bot.graph.mailbox import OutgoingEmail
from bot.graph.tenant import TenantClients
from bot.mail.consent_request import describe_when, request_subject
from bot.policy.consent_history import latest_pre_start_decision
from bot.policy.recording_gate import evaluate_recording
from bot.policy.terms import Topic
from bot.scheduler.runner import Handler
from bot.services.recording_enforcement import enforce_recording
from consent_store.audit import AuditEvent
from consent_store.jobs import ClaimedJob, Jobs
from consent_store.tables import MeetingRow
from consent_store.unit_of_work import Store, UnitOfWork
from templates import environment

REMINDER = "consent_reminder"
START = "meeting_start"


async def queue_meeting_jobs(
    uow: UnitOfWork, meeting: MeetingRow, reminder_hours: tuple[int, ...]
) -> None:
    """Queue the meeting's reminders (those still in the future) and its start."""
    jobs = Jobs(uow.session)
    now = uow.now()
    for hours in reminder_hours:
        due = meeting.starts_at - timedelta(hours=hours)
        if due > now:
            await jobs.schedule(f"reminder:{meeting.id}:{hours}", REMINDER, due, meeting.id)
    await jobs.schedule(f"start:{meeting.id}", START, meeting.starts_at, meeting.id)


def meeting_job_handlers(
    store: Store, clients: TenantClients, service: ServiceProfile
) -> Mapping[str, Handler]:
    async def remind(job: ClaimedJob) -> None:
        if job.meeting_id is not None:
            await send_reminders(store, clients, service, job.meeting_id)

    async def start(job: ClaimedJob) -> None:
        if job.meeting_id is not None:
            await freeze_at_start(store, clients, job.meeting_id)

    return {REMINDER: remind, START: start}


async def send_reminders(
    store: Store, clients: TenantClients, service: ServiceProfile, meeting_id: str
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
        await clients.mailbox.send(
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


async def freeze_at_start(store: Store, clients: TenantClients, meeting_id: str) -> None:
    """Record the gate's answer at the start and make Teams match it."""
    async with store.unit_of_work() as uow:
        verdict = evaluate_recording(await uow.meetings.facts(meeting_id))
        await uow.meetings.set_recording_outcome(meeting_id, verdict.permitted)
        await uow.audit(
            AuditEvent(
                "meeting.started",
                meeting_id=meeting_id,
                detail={
                    "recording_permitted": verdict.permitted,
                    "blockers": sorted({b.code.value for b in verdict.blockers}),
                },
            )
        )
        await uow.commit()
    await enforce_recording(store, clients.meetings, meeting_id, cause="start")
