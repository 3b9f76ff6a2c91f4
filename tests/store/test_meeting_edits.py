"""Edited meetings in the store, on both engines: removed attendees and documents are kept but
no longer count for the gates, people and documents added later follow those there before,
and a moved meeting's jobs run again at the new time."""

from __future__ import annotations

from datetime import timedelta

from bot.policy.recording_gate import evaluate_recording
from consent_store.jobs import CANCELLED, Jobs
from consent_store.records import NewAttendee, NewDocument
from consent_store.tables import AttendeeRow
from consent_store.unit_of_work import Store
from domain.terms import AttendeeKind, Decision
from tests.builders import PARENT, SENCO, STAFF, a_meeting, reply, schedule
from tests.conftest import FakeClock
from tests.jobs.stored import job_row, schedule_job
from tests.jobs.test_job_repository import claim, complete

OFFICER = NewAttendee("Dev Marsh", "dev.marsh@example.org", AttendeeKind.PROFESSIONAL)


async def test_a_removed_attendee_is_kept_but_no_longer_blocks_recording(store: Store) -> None:
    meeting_id, (parent, senco, staff) = await schedule(store)
    await reply(store, meeting_id, parent, PARENT.email)
    await reply(store, meeting_id, staff, STAFF.email)
    await reply(store, meeting_id, senco, SENCO.email, decision=Decision.REFUSED)

    async with store.unit_of_work() as uow:
        assert not evaluate_recording(await uow.meetings.facts(meeting_id)).permitted
        await uow.meetings.remove_attendees(meeting_id, [senco], uow.now())
        await uow.commit()

    async with store.reading() as uow:
        facts = await uow.meetings.facts(meeting_id)
        invited = [a.id for a in await uow.meetings.attendees(meeting_id)]
        kept = await uow.session.get(AttendeeRow, senco)
    assert invited == [parent, staff]
    assert [a.id for a in facts.attendees] == [parent, staff]
    assert evaluate_recording(facts).permitted
    assert kept is not None
    assert kept.removed_at is not None


async def test_people_and_documents_added_later_come_after_those_before(
    store: Store, clock: FakeClock
) -> None:
    meeting_id, (parent, senco, _) = await schedule(store)
    clock.now += timedelta(hours=2)
    async with store.unit_of_work() as uow:
        await uow.meetings.remove_attendees(meeting_id, [senco], uow.now())
        added = await uow.meetings.add_attendees(meeting_id, [OFFICER])
        (first,) = [d.id for d in (await uow.meetings.facts(meeting_id)).documents]
        await uow.meetings.remove_documents(meeting_id, [first], uow.now())
        (document,) = await uow.meetings.add_documents(
            meeting_id, [NewDocument("Draft plan", "https://example.com/plan.docx")], uow.now()
        )
        await uow.commit()

    async with store.reading() as uow:
        attendees = await uow.meetings.attendees(meeting_id)
        facts = await uow.meetings.facts(meeting_id)
        officer = attendees[-1]
        name = uow.decrypt(officer.name_enc, "attendees", "name", officer.id)
    assert [a.position for a in attendees] == [0, 2, 3]
    assert (officer.id, name, officer.kind) == (added[0].id, "Dev Marsh", "professional")
    assert officer.email_index == uow.meetings.email_index(OFFICER.email)
    assert [(d.id, d.listed_at) for d in facts.documents] == [(document.id, clock.now)]
    assert parent in {a.id for a in facts.attendees}


async def test_a_requeued_job_runs_again_even_after_it_ran(store: Store, clock: FakeClock) -> None:
    meeting_id, _ = await schedule(store, a_meeting())
    await schedule_job(store, "reminder:sent", clock.now, meeting_id=meeting_id)
    await schedule_job(
        store, "reminder:waiting", clock.now + timedelta(hours=1), "reminder", meeting_id
    )
    await schedule_job(store, "start:waiting", clock.now + timedelta(days=1), "start", meeting_id)
    [sent] = await claim(store, clock.now, "instance-a", kinds=("reminder", "start"))
    assert await complete(store, sent.id, "instance-a", clock.now)

    later = clock.now + timedelta(days=3)
    async with store.unit_of_work() as uow:
        jobs = Jobs(uow.session)
        assert await jobs.cancel_for_meeting(meeting_id, clock.now, kinds=("reminder",)) == 1
        await jobs.requeue("reminder:sent", "reminder", later, meeting_id)
        await jobs.requeue("reminder:new", "reminder", later, meeting_id)
        await uow.commit()

    assert (await job_row(store, "reminder:waiting")).last_error == CANCELLED
    assert (await job_row(store, "start:waiting")).done_at is None
    requeued = await job_row(store, "reminder:sent")
    assert (requeued.due_at, requeued.done_at, requeued.attempts) == (later, None, 0)
    due = await claim(store, later, "instance-b", kinds=("reminder",))
    assert sorted(job.key for job in due) == ["reminder:new", "reminder:sent"]
