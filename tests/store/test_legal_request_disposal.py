"""Disposal reaches the legal requests (issue 17): a request's personal fields (who asked and
their address, the legal basis, the service user's words, the safeguarding reason, the
Message-ID of their answer) and the replies about it in the review queue go with the last
meeting it names; what the audit trail needs stays (reference, staff ids, dates, outcome, the
sender check, the hashes). A meeting disposed of before the others leaves the extract; a meeting
held for safeguarding keeps its requests whole."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from consent_store.audit import verify_chain
from consent_store.engine import scrub_freed_space
from consent_store.legal_extract import legal_extract
from consent_store.legal_request_records import NewAnswer, NewLegalRequest
from consent_store.legal_requests import LegalRequests
from consent_store.records import NewReviewItem
from consent_store.retention import SCRUBBED_TABLES, dispose, plan_disposal
from consent_store.tables import AuditEntryRow, LegalRequestRow, ReviewItemRow
from consent_store.unit_of_work import Store
from domain.terms import AuthVerdict
from tests.builders import MEETING_START, a_meeting, schedule
from tests.conftest import FakeClock

RETENTION = timedelta(days=365)
OFFICER = "Sam Lee, SEND casework officer"
OFFICER_EMAIL = "sam.lee@council.example.gov.uk"
BASIS = "Judicial review of the Wielgosz family's EHC plan"
WORDS = "Yes, send it to Sam"
REASON = "A disclosure that the child is at risk"


async def a_request(store: Store, attendee: str, meetings: tuple[str, ...]) -> str:
    """A request answered yes by email, then overridden for safeguarding and sent, with a reply
    about it in the review queue; its reference."""
    async with store.unit_of_work() as uow:
        records = LegalRequests(uow)
        reference = await records.add(
            NewLegalRequest(OFFICER, OFFICER_EMAIL, BASIS, attendee, meetings, "staff-id")
        )
        request_id = (await records.get(reference)).id
        await records.decide(reference, "permission_asked", "manager-id", message_id="<m@x>")
        await records.record_answer(
            request_id,
            "permission_asked",
            "permission_refused",
            NewAnswer(
                uow.now(), "email", "pass", True, "<reply@mail.example.org>", "3" * 64, WORDS
            ),
        )
        await records.record_safeguarding(
            request_id, "permission_refused", "safeguarding", REASON, "manager-id"
        )
        await records.record_extract_sent(request_id, "extract_sent", "4" * 64, "<e@x>")
        item = await uow.meetings.add_review_item(
            NewReviewItem(
                MEETING_START,
                "not_clearly_understood",
                sender="rhiannon.okafor@example.org",
                text=WORDS,
                message_id="<later@mail.example.org>",
                auth=AuthVerdict.PASS,
            )
        )
        await records.link_review_item(item, request_id)
        await uow.commit()
    return reference


async def stored(store: Store, reference: str) -> LegalRequestRow:
    async with store.reading() as uow:
        row = await uow.session.scalar(
            select(LegalRequestRow).where(LegalRequestRow.reference == reference)
        )
    assert row is not None
    return row


async def dispose_now(store: Store) -> int:
    async with store.unit_of_work() as uow:
        plan = await plan_disposal(uow, RETENTION)
        await dispose(uow, plan, "test")
        await uow.commit()
    await scrub_freed_space(store.engine, SCRUBBED_TABLES)
    return plan.legal_requests


def personal_fields(row: LegalRequestRow) -> tuple[object, ...]:
    return (
        row.officer_name_enc,
        row.officer_email_enc,
        row.basis_enc,
        row.answer_phrase_enc,
        row.answer_message_id,
        row.safeguarding_reason_enc,
    )


async def test_a_request_goes_with_its_last_meeting_and_keeps_its_audit_trail(
    store: Store, clock: FakeClock
) -> None:
    old, (parent, _, _) = await schedule(store)
    later, (parent_later, _, _) = await schedule(
        store, a_meeting(starts_at=MEETING_START + timedelta(days=200))
    )
    only_old = await a_request(store, parent, (old,))
    both = await a_request(store, parent, (old, later))

    clock.now = MEETING_START + RETENTION + timedelta(days=2)
    async with store.reading() as uow:
        assert (await plan_disposal(uow, RETENTION)).legal_requests == 1, "the dry run counts it"
    assert await dispose_now(store) == 1

    gone = await stored(store, only_old)
    assert personal_fields(gone) == (None,) * 6
    assert gone.disposed_at == clock.now
    assert (gone.status, gone.logged_by, gone.decided_by, gone.safeguarding_by) == (
        "extract_sent",
        "staff-id",
        "manager-id",
        "manager-id",
    )
    assert (gone.extract_sha256, gone.answer_email_sha256) == ("4" * 64, "3" * 64)
    assert (gone.answer_auth, gone.answer_sender_matches) == ("pass", True)
    assert None not in (gone.answered_at, gone.safeguarding_at, gone.extract_sent_at)
    async with store.reading() as uow:
        request = await LegalRequests(uow).get(only_old)
        (reply,) = await uow.session.scalars(
            select(ReviewItemRow).where(ReviewItemRow.legal_request_id == request.id)
        )
    assert (request.officer_name, request.officer_email, request.basis) == ("", "", "")
    assert request.answer is not None
    assert request.answer.phrase is None
    assert request.safeguarding is not None
    assert request.safeguarding.reason is None
    assert (reply.sender_enc, reply.sender_index, reply.text_enc, reply.message_id) == (
        None,
        None,
        None,
        None,
    )

    kept = await stored(store, both)
    assert None not in personal_fields(kept), "its later meeting is still kept"
    assert kept.disposed_at is None
    assert kept.attendee_id == parent_later, "the same person, as invited to the meeting kept"
    async with store.reading() as uow:
        request = await LegalRequests(uow).get(both)
        assert (request.officer_name, request.basis) == (OFFICER, BASIS)
        extract = await legal_extract(uow, request.id)
        later_reference = (await uow.meetings.get(later)).reference
    assert [i.meeting_reference for i in extract.invitations] == [later_reference], (
        "the disposed meeting is no longer in the extract"
    )

    clock.now = MEETING_START + timedelta(days=200) + RETENTION + timedelta(days=2)
    assert await dispose_now(store) == 1
    assert personal_fields(await stored(store, both)) == (None,) * 6
    async with store.reading() as uow:
        entries = (
            await uow.session.execute(
                select(AuditEntryRow.action, AuditEntryRow.detail).where(
                    AuditEntryRow.action == "legal_request.disposed"
                )
            )
        ).all()
        assert (await verify_chain(uow.session, store.audit_key)).intact
    assert sorted(json.loads(detail)["reference"] for _, detail in entries) == sorted(
        (only_old, both)
    )
    for personal in (OFFICER, OFFICER_EMAIL, BASIS, WORDS, REASON):
        assert all(personal not in detail for _, detail in entries)


async def test_a_meeting_held_for_safeguarding_keeps_its_requests_whole(
    store: Store, clock: FakeClock
) -> None:
    old, (parent, _, _) = await schedule(store)
    held, _ = await schedule(store, a_meeting(title="Held for safeguarding"))
    async with store.unit_of_work() as uow:
        await uow.meetings.set_safeguarding_hold(held, True)
        await uow.commit()
    with_held = await a_request(store, parent, (old, held))
    only_held = await a_request(store, parent, (held,))

    clock.now = MEETING_START + RETENTION * 3
    assert await dispose_now(store) == 0
    for reference in (with_held, only_held):
        row = await stored(store, reference)
        assert None not in personal_fields(row)
        assert row.disposed_at is None
    async with store.reading() as uow:
        request = await LegalRequests(uow).get(with_held)
        assert request.safeguarding is not None
        assert request.safeguarding.reason == REASON

    async with store.unit_of_work() as uow:
        await uow.meetings.set_safeguarding_hold(held, False)
        await uow.commit()
    assert await dispose_now(store) == 2
    for reference in (with_held, only_held):
        assert personal_fields(await stored(store, reference)) == (None,) * 6
