"""Retention: old meetings lose their personal data, held ones keep it, the chain stays whole."""

from __future__ import annotations

from datetime import timedelta

from consent_store.audit import verify_chain
from consent_store.engine import scrub_freed_space
from consent_store.records import NewReviewItem
from consent_store.retention import SCRUBBED_TABLES, dispose, plan_disposal
from consent_store.statistics import monthly_counts
from consent_store.subject_access import subject_access_report
from consent_store.unit_of_work import Store
from tests.builders import MEETING_START, PARENT, a_meeting, reply, schedule
from tests.conftest import FakeClock
from tests.store.test_meetings import PERSONAL_STRINGS, raw_dump

RETENTION = timedelta(days=365)


async def test_disposal_clears_old_meetings_and_keeps_held_ones(
    store: Store, clock: FakeClock
) -> None:
    old, (old_parent, _, _) = await schedule(store)
    await reply(store, old, old_parent, PARENT.email)
    held, _ = await schedule(store, a_meeting(title="Held for safeguarding"))
    recent, _ = await schedule(
        store, a_meeting(starts_at=MEETING_START + timedelta(days=300), title="Recent meeting")
    )
    async with store.unit_of_work() as uow:
        await uow.meetings.set_safeguarding_hold(held, True)
        await uow.meetings.add_review_item(
            NewReviewItem(MEETING_START, "unmatched", sender="someone@example.net", text="Hi")
        )
        await uow.commit()
        references = {m: (await uow.meetings.get(m)).reference for m in (old, held, recent)}

    clock.now = MEETING_START + RETENTION + timedelta(days=2)
    async with store.unit_of_work() as uow:
        plan = await plan_disposal(uow, RETENTION)
    assert plan.meeting_references == (references[old],)
    assert (plan.meetings_held, plan.unmatched_review_items) == (1, 1)

    async with store.unit_of_work() as uow:
        await dispose(uow, plan, "test")
        await uow.commit()

    async with store.unit_of_work() as uow:
        assert (await plan_disposal(uow, RETENTION)).meeting_references == ()
        assert (await uow.meetings.get(old)).title_enc is None
        kept = await uow.meetings.get(held)
        assert uow.decrypt(kept.title_enc, "meetings", "title", held) == "Held for safeguarding"
        assert (await verify_chain(uow.session, store.audit_key)).intact
        counts = await monthly_counts(uow)
        report = await subject_access_report(uow, PARENT.email)
    assert counts["2026-11", "meetings"] == 2
    assert counts["2026-11", "replies_given"] == 1
    assert [i.meeting_title for i in report.invitations] == [
        "Held for safeguarding",
        "Recent meeting",
    ]
    assert report.decisions == ()

    async with store.unit_of_work() as uow:
        facts_after = await uow.meetings.facts(old)
    assert len(facts_after.attendees) == 3


async def test_a_dry_run_changes_nothing(store: Store, clock: FakeClock) -> None:
    meeting, _ = await schedule(store)
    clock.now = MEETING_START + RETENTION * 2
    async with store.unit_of_work() as uow:
        plan = await plan_disposal(uow, RETENTION)
    assert len(plan.meeting_references) == 1
    async with store.unit_of_work() as uow:
        assert (await uow.meetings.get(meeting)).title_enc is not None


async def test_nothing_personal_survives_disposal_of_everything(
    store: Store, clock: FakeClock
) -> None:
    meeting, (parent, _, _) = await schedule(store)
    await reply(store, meeting, parent, PARENT.email, phrase=PERSONAL_STRINGS[-1])
    clock.now = MEETING_START + RETENTION * 2
    async with store.unit_of_work() as uow:
        await dispose(uow, await plan_disposal(uow, RETENTION), "test")
        await uow.commit()
    await scrub_freed_space(store.engine, SCRUBBED_TABLES)
    dump = await raw_dump(store)
    assert store.blind_index.of_email(PARENT.email).encode() not in dump
