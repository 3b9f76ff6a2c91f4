"""Subject access: a person gets everything held about them, and nothing about anyone else."""

from __future__ import annotations

import json
from datetime import timedelta

from consent_store.records import NewAttendee, NewReviewItem
from consent_store.subject_access import subject_access_report
from consent_store.unit_of_work import Store
from domain.terms import AttendeeKind, Decision, Topic
from tests.builders import MEETING_START, PARENT, SENCO, STAFF, a_meeting, reply, schedule


async def test_the_report_holds_the_persons_meetings_decisions_reviews_and_audit(
    store: Store,
) -> None:
    first, (parent_1, senco_1, _) = await schedule(store)
    second, (parent_2, _, _) = await schedule(
        store, a_meeting(starts_at=MEETING_START + timedelta(days=30), title="Transition meeting")
    )
    await reply(store, first, parent_1, PARENT.email, phrase="Yes, recording is fine by me.")
    await reply(
        store,
        second,
        parent_2,
        PARENT.email,
        Decision.REFUSED,
        Topic.DOCUMENTS,
        received_at=MEETING_START + timedelta(days=20),
    )
    await reply(store, first, senco_1, SENCO.email, phrase="Fine from the school's side.")
    async with store.unit_of_work() as uow:
        await uow.meetings.add_review_item(
            NewReviewItem(
                received_at=MEETING_START - timedelta(days=2),
                reason="condition",
                meeting_id=first,
                sender=PARENT.email,
                text="Yes as long as the recording is deleted after a month",
            )
        )
        await uow.commit()

    async with store.unit_of_work() as uow:
        report = await subject_access_report(uow, "  Rhiannon.OKAFOR@example.org ")

    assert [i.meeting_title for i in report.invitations] == [
        "Annual review planning for Okafor-Bell family",
        "Transition meeting",
    ]
    assert {i.name for i in report.invitations} == {PARENT.name}
    assert [(d.topic, d.decision) for d in report.decisions] == [
        ("recording", "given"),
        ("documents", "refused"),
    ]
    assert report.decisions[0].deciding_phrase == "Yes, recording is fine by me."
    assert [r.text for r in report.review_items] == [
        "Yes as long as the recording is deleted after a month"
    ]
    assert [e.action for e in report.audit_entries] == ["consent.given", "consent.refused"]

    published = report.to_json() + report.to_html()
    assert "Fine from the school's side" not in published
    assert SENCO.name not in published
    assert STAFF.name not in published
    assert json.loads(report.to_json())["email"] == "  Rhiannon.OKAFOR@example.org "


async def test_the_html_escapes_what_people_wrote(store: Store) -> None:
    sneaky = NewAttendee(
        "<script>alert(1)</script> Lee", "lee@example.org", AttendeeKind.YOUNG_PERSON
    )
    await schedule(store, a_meeting(attendees=(sneaky, STAFF)))
    async with store.unit_of_work() as uow:
        html = (await subject_access_report(uow, "lee@example.org")).to_html()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Lee" in html


async def test_an_unknown_address_gets_an_empty_report(store: Store) -> None:
    await schedule(store)
    async with store.unit_of_work() as uow:
        report = await subject_access_report(uow, "stranger@example.net")
    assert not report.holds_anything
    assert "None." in report.to_html()
