"""Consent by email end to end against the sandbox tenant: requests go out through Graph,
people reply from their own inboxes, the bot reads the consent mailbox, records what they
said, and sends each a receipt."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.config import ServiceProfile
from bot.graph.mailbox import ConsentMailbox
from bot.mailbox.reader import MailboxReader
from bot.policy.blockers import BlockerCode
from bot.policy.recording_gate import evaluate_recording
from bot.services.consent_requests import send_consent_requests
from consent_store.records import NewAttendee, NewDocument
from consent_store.tables import InboundEmailRow, ReviewItemRow
from consent_store.unit_of_work import Store
from domain.terms import AttendeeKind, AuthVerdict, Decision, Topic
from sandbox.seed import COORDINATOR, PARENT_CARER, SENCO, SEND_OFFICER
from tests.builders import a_meeting, schedule
from tests.sandbox.conftest import RunningSandbox
from tests.tenant_flows.conftest import People

PARENT = NewAttendee(PARENT_CARER.display_name, PARENT_CARER.address, AttendeeKind.PARENT_CARER)
SCHOOL = NewAttendee(SENCO.display_name, SENCO.address, AttendeeKind.PROFESSIONAL, "Fellside")
ADVISER = NewAttendee(COORDINATOR.display_name, COORDINATOR.mail, AttendeeKind.STAFF)


@pytest.fixture
def service(env_without_iass: Path) -> ServiceProfile:
    return ServiceProfile()


async def scheduled_and_asked(
    store: Store, mailbox: ConsentMailbox, service: ServiceProfile
) -> tuple[str, str, list[str]]:
    meeting_id, attendee_ids = await schedule(
        store,
        a_meeting(
            starts_at=datetime.now(UTC) + timedelta(days=2),
            attendees=(PARENT, SCHOOL, ADVISER),
            documents=(NewDocument("School report", "https://example.com/report.docx"),),
        ),
    )
    async with store.unit_of_work() as uow:
        reference = (await uow.meetings.get(meeting_id)).reference
    sent = await send_consent_requests(
        store, mailbox, service, meeting_id, "Priya Raman", actor="test"
    )
    assert [s.attendee_id for s in sent] == attendee_ids
    return meeting_id, reference, attendee_ids


async def test_replies_become_decisions_with_evidence_and_receipts(
    store: Store,
    mailbox: ConsentMailbox,
    people: People,
    service: ServiceProfile,
) -> None:
    meeting_id, reference, (parent, school, adviser) = await scheduled_and_asked(
        store, mailbox, service
    )
    (request,) = await people.inbox(PARENT_CARER.address)
    assert request["subject"].endswith(f"[{reference}]")

    await people.reply(PARENT_CARER.address, reference, "Yes, I agree to everything.")
    await people.reply(SENCO.address, reference, "No, I'd rather it wasn't recorded, sorry.")
    reader = MailboxReader(store, mailbox, service)
    outcomes = await reader.catch_up()
    assert outcomes == {"recorded": 2}

    async with store.unit_of_work() as uow:
        facts = await uow.meetings.facts(meeting_id)
    said = {(d.attendee_id, d.topic, d.decision) for d in facts.decisions}
    assert said == {
        (parent, Topic.RECORDING, Decision.GIVEN),
        (parent, Topic.DOCUMENTS, Decision.GIVEN),
        (parent, Topic.CONTRIBUTION, Decision.GIVEN),
        (school, Topic.RECORDING, Decision.REFUSED),
    }
    assert all(d.auth is AuthVerdict.PASS and d.sender_matches for d in facts.decisions)
    blockers = {(b.code, b.attendee_id) for b in evaluate_recording(facts).blockers}
    assert blockers == {(BlockerCode.REFUSED, school), (BlockerCode.NO_REPLY, adviser)}

    receipts = [
        m
        for m in await people.inbox(PARENT_CARER.address)
        if "recorded your answer" in m["subject"]
    ]
    assert len(receipts) == 1
    assert await reader.catch_up() == {}


async def test_an_unauthenticated_yes_is_kept_but_never_counts(
    store: Store, mailbox: ConsentMailbox, people: People, service: ServiceProfile
) -> None:
    meeting_id, reference, (parent, _, _) = await scheduled_and_asked(store, mailbox, service)
    await people.reply(PARENT_CARER.address, reference, "Yes to everything.", authentication="fail")
    await MailboxReader(store, mailbox, service).catch_up()
    async with store.unit_of_work() as uow:
        facts = await uow.meetings.facts(meeting_id)
    assert {d.auth for d in facts.decisions} == {AuthVerdict.FAIL}
    assert (BlockerCode.NOT_AUTHENTICATED, parent) in {
        (b.code, b.attendee_id) for b in evaluate_recording(facts).blockers
    }


async def test_someone_not_invited_goes_to_review(
    store: Store, mailbox: ConsentMailbox, people: People, service: ServiceProfile
) -> None:
    meeting_id, reference, _ = await scheduled_and_asked(store, mailbox, service)
    await people.write(SEND_OFFICER.address, f"Re: meeting [{reference}]", "Yes, fine by me.")
    outcomes = await MailboxReader(store, mailbox, service).catch_up()
    assert outcomes == {"review": 1}
    async with store.unit_of_work() as uow:
        (item,) = (await uow.session.scalars(select(ReviewItemRow))).all()
        facts = await uow.meetings.facts(meeting_id)
    assert facts.decisions == ()
    assert item.reason == "sender_not_invited"


async def test_a_conditional_yes_waits_for_a_person(
    store: Store, mailbox: ConsentMailbox, people: People, service: ServiceProfile
) -> None:
    meeting_id, reference, _ = await scheduled_and_asked(store, mailbox, service)
    await people.reply(
        PARENT_CARER.address, reference, "Yes you can record it as long as it is deleted after."
    )
    assert await MailboxReader(store, mailbox, service).catch_up() == {"review": 1}
    async with store.unit_of_work() as uow:
        facts = await uow.meetings.facts(meeting_id)
    assert Decision.GIVEN not in {d.decision for d in facts.decisions}


async def test_two_readers_record_each_email_once(
    store: Store, mailbox: ConsentMailbox, people: People, service: ServiceProfile
) -> None:
    meeting_id, reference, _ = await scheduled_and_asked(store, mailbox, service)
    await people.reply(PARENT_CARER.address, reference, "Yes, I agree to everything.")
    first, second = MailboxReader(store, mailbox, service), MailboxReader(store, mailbox, service)
    outcomes = await asyncio.gather(first.catch_up(), second.catch_up())
    together = outcomes[0] + outcomes[1]
    assert together["recorded"] == 1
    assert set(together) <= {"recorded", "duplicate"}
    async with store.unit_of_work() as uow:
        assert len((await uow.meetings.facts(meeting_id)).decisions) == 3
    receipts = [
        m
        for m in await people.inbox(PARENT_CARER.address)
        if "recorded your answer" in m["subject"]
    ]
    assert len(receipts) == 1


async def test_receipts_are_noted_as_sent(
    store: Store, mailbox: ConsentMailbox, people: People, service: ServiceProfile
) -> None:
    _, reference, _ = await scheduled_and_asked(store, mailbox, service)
    await people.reply(PARENT_CARER.address, reference, "Yes")
    await people.reply(SENCO.address, reference, "Can you tell me more first?")
    await MailboxReader(store, mailbox, service).catch_up()
    async with store.unit_of_work() as uow:
        rows = (await uow.session.scalars(select(InboundEmailRow))).all()
    assert sorted((r.outcome, r.receipt_sent_at is not None) for r in rows) == [
        ("recorded", True),
        ("review", False),
    ]


async def test_a_receipt_that_cannot_be_sent_does_not_stop_reading(
    store: Store,
    mailbox: ConsentMailbox,
    people: People,
    service: ServiceProfile,
    tenant_sandbox: RunningSandbox,
) -> None:
    meeting_id, reference, (parent, _, _) = await scheduled_and_asked(store, mailbox, service)
    await people.reply(PARENT_CARER.address, reference, "Yes")
    tenant_sandbox.tenant.faults.fail(1, status=500, method="POST", path_contains="sendMail")
    assert await MailboxReader(store, mailbox, service).catch_up() == {"recorded": 1}
    async with store.unit_of_work() as uow:
        (row,) = (await uow.session.scalars(select(InboundEmailRow))).all()
        facts = await uow.meetings.facts(meeting_id)
    assert {d.attendee_id for d in facts.decisions} == {parent}
    assert row.receipt_sent_at is None
