"""The review-queue use case on both engines: open items with their personal data decrypted,
confirming a reading into decisions the gates see, setting an email aside, and resolving an
item only once. Audit entries carry pseudonymous ids only."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.services import review_queue
from bot.services.review_queue import (
    AlreadyResolved,
    ItemNotFound,
    RejectReason,
    ReviewRefused,
    confirm,
    open_count,
    open_items,
    reject,
)
from consent_store.audit import verify_chain
from consent_store.records import NewConsentRequest
from consent_store.tables import AuditEntryRow, ConsentDecisionRow, ReviewItemRow
from consent_store.unit_of_work import Store, UnitOfWork
from domain.terms import AttendeeKind, AuthVerdict, Decision, Topic
from tests.builders import MEETING_START, PARENT, SENCO, a_meeting, schedule
from tests.conftest import FakeClock
from tests.web.review_items import THEIR_WORDS, queue_item

STAFF_ID = "11111111-aaaa-4bbb-8ccc-000000000001"


async def audit_entries(store: Store, action: str) -> list[AuditEntryRow]:
    async with store.unit_of_work() as uow:
        return list(
            await uow.session.scalars(select(AuditEntryRow).where(AuditEntryRow.action == action))
        )


async def item_row(store: Store, item_id: str) -> ReviewItemRow:
    async with store.unit_of_work() as uow:
        row = await uow.session.get(ReviewItemRow, item_id)
        assert row is not None
        return row


async def test_open_items_show_the_email_and_the_meetings_attendees(store: Store) -> None:
    meeting, (parent, senco, staff) = await schedule(store)
    matched = await queue_item(store, meeting, parent)
    unmatched = await queue_item(
        store,
        sender="someone@example.net",
        reason="no_matching_meeting",
        auth=AuthVerdict.FAIL,
        received_at=MEETING_START - timedelta(days=1),
    )
    async with store.unit_of_work() as uow:
        items = await open_items(uow)
        reference = (await uow.meetings.get(meeting)).reference
        assert await open_count(uow) == 2

    first, second = items
    assert (first.id, second.id) == (matched, unmatched)
    assert first.sender == PARENT.email
    assert first.text == THEIR_WORDS
    assert first.auth is AuthVerdict.PASS
    assert first.meeting_reference == reference
    assert first.suggested_attendee_id == parent
    assert [(a.id, a.name, a.kind) for a in first.attendees] == [
        (parent, PARENT.name, AttendeeKind.PARENT_CARER),
        (senco, SENCO.name, AttendeeKind.PROFESSIONAL),
        (staff, "Priya Castellano", AttendeeKind.STAFF),
    ]
    assert [a.sent_from_their_address for a in first.attendees] == [True, False, False]
    assert first.can_confirm
    assert second.meeting_reference is None
    assert second.attendees == ()
    assert not second.can_confirm
    assert second.auth is AuthVerdict.FAIL


async def test_confirming_records_the_decisions_the_gates_see(
    store: Store, clock: FakeClock
) -> None:
    meeting, (parent, _, _) = await schedule(store)
    item = await queue_item(store, meeting, parent)
    async with store.unit_of_work() as uow:
        await confirm(
            uow,
            item,
            STAFF_ID,
            parent,
            {Topic.RECORDING: Decision.GIVEN, Topic.CONTRIBUTION: Decision.REFUSED},
        )
        await uow.commit()

    async with store.unit_of_work() as uow:
        facts = await uow.meetings.facts(meeting)
        rows = list(await uow.session.scalars(select(ConsentDecisionRow)))
        assert (await verify_chain(uow.session, store.audit_key)).intact
    decided = {(r.attendee_id, r.topic, r.decision) for r in facts.decisions}
    assert decided == {
        (parent, Topic.RECORDING, Decision.GIVEN),
        (parent, Topic.CONTRIBUTION, Decision.REFUSED),
    }
    for record in facts.decisions:
        assert record.received_at == MEETING_START - timedelta(days=2)
        assert record.auth is AuthVerdict.PASS
        assert record.sender_matches
        assert record.trustworthy
    assert {row.decided_by for row in rows} == {f"staff:{STAFF_ID}"}

    resolved = await item_row(store, item)
    assert resolved.status == "confirmed"
    assert resolved.resolved_by == STAFF_ID
    assert resolved.resolved_at == clock.now

    (entry,) = await audit_entries(store, "review.confirmed")
    assert entry.actor == STAFF_ID
    assert entry.meeting_id == meeting
    assert entry.subject_id == parent
    assert json.loads(entry.detail) == {
        "review_item": item,
        "authentication": "pass",
        "sender_matches": True,
        "recording": "given",
        "contribution": "refused",
    }
    for personal in (PARENT.email, PARENT.name, THEIR_WORDS):
        assert personal not in entry.detail
    async with store.unit_of_work() as uow:
        assert await open_count(uow) == 0


async def test_the_email_keeps_its_own_evidence(store: Store) -> None:
    """Staff cannot make an email from another address, or one that failed the tenant's
    check, count as consent: the decision carries what the email showed."""
    meeting, (parent, senco, _) = await schedule(store)
    item = await queue_item(store, meeting, parent, auth=AuthVerdict.FAIL)
    async with store.unit_of_work() as uow:
        await confirm(uow, item, STAFF_ID, senco, {Topic.RECORDING: Decision.GIVEN})
        await uow.commit()
    async with store.unit_of_work() as uow:
        (record,) = (await uow.meetings.facts(meeting)).decisions
    assert record.attendee_id == senco
    assert record.auth is AuthVerdict.FAIL
    assert not record.sender_matches
    assert not record.trustworthy


async def test_documents_consent_covers_what_the_person_was_asked_about(store: Store) -> None:
    meeting, (parent, _, _) = await schedule(store)
    async with store.unit_of_work() as uow:
        (document,) = (await uow.meetings.facts(meeting)).documents
        request = await uow.meetings.add_request(
            NewConsentRequest(
                meeting_id=meeting,
                attendee_id=parent,
                message_id="<request-1@iass.example.com>",
                template_version="v1",
                text_sha256="0" * 64,
                topics=(Topic.RECORDING, Topic.DOCUMENTS),
                documents_covered=(document.id,),
                sent_at=MEETING_START - timedelta(days=5),
            )
        )
        await uow.commit()
    item = await queue_item(store, meeting, parent)
    async with store.unit_of_work() as uow:
        await confirm(uow, item, STAFF_ID, parent, {Topic.DOCUMENTS: Decision.GIVEN})
        await uow.commit()
    async with store.unit_of_work() as uow:
        (record,) = (await uow.meetings.facts(meeting)).decisions
        (row,) = await uow.session.scalars(select(ConsentDecisionRow))
    assert record.documents_covered == frozenset({document.id})
    assert row.request_id == request


async def test_setting_aside_records_nothing_and_is_audited(store: Store) -> None:
    meeting, (parent, _, _) = await schedule(store)
    item = await queue_item(store, meeting, parent)
    async with store.unit_of_work() as uow:
        await reject(uow, item, STAFF_ID, RejectReason.NOT_ABOUT_CONSENT)
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert (await uow.meetings.facts(meeting)).decisions == ()
        assert await open_items(uow) == []
    resolved = await item_row(store, item)
    assert (resolved.status, resolved.resolved_by) == ("rejected", STAFF_ID)
    (entry,) = await audit_entries(store, "review.rejected")
    assert (entry.actor, entry.meeting_id, entry.subject_id) == (STAFF_ID, meeting, parent)
    assert json.loads(entry.detail) == {"review_item": item, "reason": "not_about_consent"}


async def test_an_email_matching_no_meeting_can_be_set_aside(store: Store) -> None:
    item = await queue_item(store, reason="no_matching_meeting")
    async with store.unit_of_work() as uow:
        await reject(uow, item, STAFF_ID, RejectReason.CANNOT_TELL)
        await uow.commit()
    (entry,) = await audit_entries(store, "review.rejected")
    assert entry.meeting_id is None
    assert entry.subject_id == item


@pytest.mark.parametrize("first", ["confirm", "reject"])
@pytest.mark.parametrize("second", ["confirm", "reject"])
async def test_an_item_is_resolved_only_once(store: Store, first: str, second: str) -> None:
    meeting, (parent, _, _) = await schedule(store)
    item = await queue_item(store, meeting, parent)

    async def resolve(how: str) -> None:
        async with store.unit_of_work() as uow:
            if how == "confirm":
                await confirm(uow, item, STAFF_ID, parent, {Topic.RECORDING: Decision.GIVEN})
            else:
                await reject(uow, item, STAFF_ID, RejectReason.CANNOT_TELL)
            await uow.commit()

    await resolve(first)
    with pytest.raises(AlreadyResolved, match="already dealt with"):
        await resolve(second)
    async with store.unit_of_work() as uow:
        decisions = (await uow.meetings.facts(meeting)).decisions
    assert len(decisions) == (1 if first == "confirm" else 0)
    action = {"confirm": "review.confirmed", "reject": "review.rejected"}[first]
    assert len(await audit_entries(store, action)) == 1


async def test_a_concurrent_resolution_loses_cleanly(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone else resolves the item between this staff member's read and write: the write
    changes nothing and records nothing."""
    meeting, (parent, _, _) = await schedule(store)
    item = await queue_item(store, meeting, parent)

    async def read_then_lose_the_race(uow: UnitOfWork, item_id: str) -> ReviewItemRow:
        row = await uow.session.get(ReviewItemRow, item_id)
        assert row is not None
        assert row.status == "open"
        await uow.session.execute(
            update(ReviewItemRow)
            .where(ReviewItemRow.id == item_id)
            .values(status="rejected", resolved_by="another-staff-member")
            .execution_options(synchronize_session=False)
        )
        return row

    monkeypatch.setattr(review_queue, "_open_item", read_then_lose_the_race)
    async with store.unit_of_work() as uow:
        with pytest.raises(AlreadyResolved):
            await confirm(uow, item, STAFF_ID, parent, {Topic.RECORDING: Decision.GIVEN})
        assert (await uow.meetings.facts(meeting)).decisions == ()


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("no meeting", "matches no meeting"),
        ("nothing chosen", "at least one topic"),
        ("attendee of another meeting", "meeting's attendees"),
        ("unknown attendee", "meeting's attendees"),
    ],
)
async def test_confirming_is_refused_with_a_reason(store: Store, case: str, message: str) -> None:
    meeting, (parent, _, _) = await schedule(store)
    _, (other_parent, _, _) = await schedule(store, a_meeting(title="Another family"))
    item = await queue_item(store, None if case == "no meeting" else meeting, parent)
    attendee = {"attendee of another meeting": other_parent, "unknown attendee": "nobody"}.get(
        case, parent
    )
    decisions = {} if case == "nothing chosen" else {Topic.RECORDING: Decision.GIVEN}
    async with store.unit_of_work() as uow:
        with pytest.raises(ReviewRefused, match=message):
            await confirm(uow, item, STAFF_ID, attendee, decisions)
    assert (await item_row(store, item)).status == "open"


async def test_an_unknown_item_is_not_found(store: Store) -> None:
    async with store.unit_of_work() as uow:
        with pytest.raises(ItemNotFound):
            await reject(uow, "0" * 32, STAFF_ID, RejectReason.CANNOT_TELL)
