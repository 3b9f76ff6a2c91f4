"""Staff edit a scheduled meeting: in Teams, in the store, and by email.

Editing follows `change_plan`. Teams is changed first: when the meeting as it will be may not
be recorded, recording is switched off before anything else; then the subject, times and
invitees change in one PATCH of the organiser's calendar event, so Exchange sends the
attendees an updated invitation (a meeting stored before there were events, without an event
id, is changed through its online meeting instead, recording off in the same request). If
Teams refuses, nothing is stored, the meeting is marked as needing attention and the failure
audited. Then every change is stored in one transaction with its audit entries, and a moved
meeting's reminders, start and settings checks are queued again for the new time; if storing
fails, Teams is put back (should Teams refuse that too, the meeting is marked and the
failure audited before the storing error is raised). After that the recording gate is asked
again and Teams' `allowRecording` made to match, new attendees (and anyone with a new
question) are sent consent requests, and people already invited are told a new time. A
failure there leaves the change standing, recording never more allowed than consent covers,
and the meeting marked. What editing shares with cancelling is in `meeting_changes`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.config import ServiceProfile
from bot.mail.meeting_notice import render_new_time
from bot.policy.recording_gate import evaluate_recording
from bot.ports.failures import GRAPH_FAILURES
from bot.ports.mail import Mailbox
from bot.ports.meetings import Meetings
from bot.services.change_plan import (
    ChangePlan,
    StoredAttendee,
    StoredDocument,
    StoredMeeting,
    plan_changes,
    recording_must_close_first,
)
from bot.services.consent_requests import send_consent_requests
from bot.services.meeting_changes import (
    CHANGE_NOT_APPLIED,
    CHANGE_NOT_STORED,
    NOTICES_NOT_SENT,
    REQUESTS_NOT_SENT,
    MeetingChangeFailed,
    mark_attention,
    meeting_recipients,
    send_notices,
)
from bot.services.organiser_notices import Notice, tell_organiser
from bot.services.recording_checks import queue_settings_checks
from bot.services.recording_enforcement import enforce_recording
from bot.services.timed_work import requeue_meeting_jobs
from consent_store.audit import AuditEvent
from consent_store.errors import STORE_FAILURES
from consent_store.liaison import LiaisonRecords
from consent_store.needs import needs_of, record_needs
from consent_store.records import NewMeeting
from consent_store.stored import MeetingRow
from consent_store.unit_of_work import Store, UnitOfWork
from domain.terms import AttendeeKind, DeclaredRole


@dataclass(frozen=True)
class MeetingChanged:
    reference: str
    changed: bool
    needs_attention: str | None
    requests_sent: int
    notices_sent: int


async def _stored_meeting(uow: UnitOfWork, meeting: MeetingRow) -> StoredMeeting:
    attendees = await uow.meetings.attendees(meeting.id)
    documents = await uow.meetings.documents(meeting.id)
    liaison = await LiaisonRecords(uow).organisations(meeting.id)
    return StoredMeeting(
        status=meeting.status,
        title=uow.decrypt(meeting.title_enc, "meetings", "title", meeting.id) or "",
        starts_at=meeting.starts_at,
        started_at=meeting.started_at,
        ends_at=meeting.ends_at,
        declared_role=DeclaredRole(meeting.declared_role),
        recording_requested=meeting.recording_requested,
        attendees=tuple(
            StoredAttendee(
                a.id,
                uow.decrypt(a.email_enc, "attendees", "email", a.id) or "",
                AttendeeKind(a.kind),
            )
            for a in attendees
        ),
        documents=tuple(
            StoredDocument(
                d.id,
                uow.decrypt(d.title_enc, "documents", "title", d.id) or "",
                uow.decrypt(d.url_enc, "documents", "url", d.id) or "",
            )
            for d in documents
        ),
        liaison=tuple(o.name for o in liaison),
        needs=needs_of(uow, meeting),
    )


async def edit_meeting(
    store: Store,
    meetings: Meetings,
    mailbox: Mailbox,
    service: ServiceProfile,
    meeting_id: str,
    wanted: NewMeeting,
    *,
    actor: str,
    staff_name: str,
    reminder_hours: tuple[int, ...] = (72, 24),
) -> MeetingChanged:
    """Make the stored meeting what staff want it to be; see the module docstring for the
    order. `wanted.organiser_user_id` is ignored: the organiser stays. `staff_name` is used in
    consent requests only when the organiser's own name was not kept."""
    async with store.reading() as uow:
        row = await uow.meetings.get(meeting_id)
        stored = await _stored_meeting(uow, row)
        facts = await uow.meetings.facts(meeting_id)
        organiser_name = uow.decrypt(row.staff_name_enc, "meetings", "staff_name", meeting_id)
        addresses = {a.id: a.email for a in stored.attendees}
    now = store.clock()
    plan = plan_changes(stored, wanted, now)
    if not plan.changed:
        return MeetingChanged(row.reference, False, None, 0, 0)
    close_recording = recording_must_close_first(facts, plan, now, row.teams_recording_allowed)
    teams_id = row.teams_meeting_id
    teams_changed = False
    if teams_id is not None and (plan.changes_teams or close_recording):
        invitees = (
            *(addresses[a] for a in plan.kept_attendees),
            *(a.email for a in plan.added_attendees),
        )
        try:
            await _change_in_teams(
                meetings,
                row,
                teams_id,
                plan,
                subject=wanted.title,
                times=(wanted.starts_at, wanted.ends_at),
                invitees=invitees,
                forbid_recording=close_recording,
            )
        except GRAPH_FAILURES as error:
            await mark_attention(
                store,
                meeting_id,
                CHANGE_NOT_APPLIED,
                "meeting.change_failed",
                {"error": type(error).__name__, **plan.audit_detail()},
            )
            raise MeetingChangeFailed(
                f"Teams did not accept the change ({type(error).__name__}), so nothing was "
                "changed. Try again later."
            ) from None
        teams_changed = True
    try:
        added = await _store_changes(
            store, meeting_id, plan, actor=actor, closed=close_recording, hours=reminder_hours
        )
    except STORE_FAILURES:
        if teams_changed and teams_id is not None:
            try:
                await _change_in_teams(
                    meetings,
                    row,
                    teams_id,
                    plan,
                    subject=stored.title,
                    times=(stored.starts_at, stored.ends_at),
                    invitees=tuple(addresses.values()),
                    forbid_recording=False,
                )
            except GRAPH_FAILURES as error:
                await mark_attention(
                    store,
                    meeting_id,
                    CHANGE_NOT_STORED,
                    "meeting.change_not_reverted",
                    {"error": type(error).__name__, **plan.audit_detail()},
                )
        raise

    if close_recording:
        async with store.reading() as uow:
            blockers = evaluate_recording(await uow.meetings.facts(meeting_id)).blockers
        await tell_organiser(store, mailbox, meeting_id, Notice.RECORDING_FORBIDDEN, blockers)
    await enforce_recording(store, meetings, meeting_id, cause="edit", mailbox=mailbox)
    attention = None
    requests_sent = 0
    to_ask = (*added, *plan.ask_again)
    if to_ask:
        try:
            requests_sent = len(
                await send_consent_requests(
                    store,
                    mailbox,
                    service,
                    meeting_id,
                    organiser_name or staff_name,
                    actor=actor,
                    only=set(to_ask),
                )
            )
        except GRAPH_FAILURES:
            attention = REQUESTS_NOT_SENT
            await mark_attention(
                store, meeting_id, attention, "meeting.needs_attention", {"reason": attention}
            )
    notices_sent = 0
    if plan.told_new_time:
        async with store.reading() as uow:
            recipients = await meeting_recipients(uow, meeting_id, plan.told_new_time)
            asked = set(await uow.meetings.latest_requests(meeting_id))
        notices = [
            (
                r.attendee_id,
                r.email,
                render_new_time(
                    name=r.name,
                    reference=row.reference,
                    was=(stored.starts_at, stored.ends_at),
                    now_at=(wanted.starts_at, wanted.ends_at),
                    asked=r.attendee_id in asked,
                    service=service,
                ),
            )
            for r in recipients
        ]
        notices_sent, complete = await send_notices(
            store, mailbox, meeting_id, notices, "meeting.new_time_sent"
        )
        attention = attention or (None if complete else NOTICES_NOT_SENT)
    return MeetingChanged(row.reference, True, attention, requests_sent, notices_sent)


async def _change_in_teams(
    meetings: Meetings,
    row: MeetingRow,
    teams_id: str,
    plan: ChangePlan,
    *,
    subject: str,
    times: tuple[datetime, datetime],
    invitees: tuple[str, ...],
    forbid_recording: bool,
) -> None:
    """Make Teams hold what the plan changes, with these values: through the calendar event
    when the meeting has one (recording switched off first when `forbid_recording`), else
    through its online meeting in one PATCH."""
    organiser = row.organiser_user_id
    if row.teams_event_id is None:
        await meetings.update(
            organiser,
            teams_id,
            subject=subject if plan.retitled else None,
            starts_at=times[0] if plan.moved else None,
            ends_at=times[1] if plan.moved else None,
            attendee_addresses=invitees if plan.invitees_changed else None,
            forbid_recording=forbid_recording,
        )
        return
    if forbid_recording:
        await meetings.set_recording(organiser, teams_id, False)
    if plan.changes_teams:
        await meetings.events.update(
            organiser,
            row.teams_event_id,
            subject=subject if plan.retitled else None,
            starts_at=times[0] if plan.moved else None,
            ends_at=times[1] if plan.moved else None,
            attendee_addresses=invitees if plan.invitees_changed else None,
        )


async def _store_changes(
    store: Store,
    meeting_id: str,
    plan: ChangePlan,
    *,
    actor: str,
    closed: bool,
    hours: tuple[int, ...],
) -> list[str]:
    """Store the plan in one transaction with its audit entries; returns the new attendees'
    ids."""
    wanted = plan.wanted
    async with store.unit_of_work() as uow:
        now = uow.now()
        row = await uow.meetings.get(meeting_id)
        if plan.retitled:
            row.title_enc = uow.seal(wanted.title, "meetings", "title", meeting_id)
        row.starts_at, row.ends_at = wanted.starts_at, wanted.ends_at
        row.declared_role = wanted.declared_role.value
        row.recording_requested = wanted.recording_requested
        if closed:
            row.teams_recording_allowed = False
        if row.needs_attention in (CHANGE_NOT_APPLIED, CHANGE_NOT_STORED):
            row.needs_attention = None
        await uow.meetings.remove_attendees(meeting_id, plan.removed_attendees, now)
        await uow.meetings.remove_documents(meeting_id, plan.removed_documents, now)
        added = await uow.meetings.add_attendees(meeting_id, plan.added_attendees)
        await uow.meetings.add_documents(meeting_id, plan.added_documents, now)
        if plan.liaison_changed:
            await LiaisonRecords(uow).name(meeting_id, wanted.liaison)
        if plan.needs_changed:
            record_needs(uow, row, wanted.needs)
        if plan.moved:
            await requeue_meeting_jobs(uow, row, hours)
            await queue_settings_checks(uow, row, hours)
        await uow.audit(
            AuditEvent(
                "meeting.edited",
                actor=actor,
                meeting_id=meeting_id,
                detail={**plan.audit_detail(), "recording_switched_off": closed},
            )
        )
        for attendee_id in plan.removed_attendees:
            await uow.audit(
                AuditEvent(
                    "attendee.removed", actor=actor, meeting_id=meeting_id, subject_id=attendee_id
                )
            )
        for attendee in added:
            await uow.audit(
                AuditEvent(
                    "attendee.added",
                    actor=actor,
                    meeting_id=meeting_id,
                    subject_id=attendee.id,
                    detail={"kind": attendee.kind},
                )
            )
        await uow.commit()
    return [a.id for a in added]
