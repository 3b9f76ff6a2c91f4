"""Legal requests end to end against the sandbox tenant (issue 17): a request is logged, the
manager asks the parent carer's permission, the parent agrees by email, and the officer and the
parent find the extract and its copy in their inboxes, its SHA-256 kept; a second request the
parent refuses, and nothing is sent; an unclear answer waits for the manager to read it, and
until then nothing is sent. Each step is audited with pseudonymous ids only."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote

import aiohttp
import pytest
from sqlalchemy import select

from bot.config import ServiceProfile
from bot.graph.mailbox import ConsentMailbox
from bot.mailbox.reader import MailboxReader
from bot.scheduler.runner import JobRunner
from bot.services.consent_requests import send_consent_requests
from bot.services.legal_answers import read_reply
from bot.services.legal_extracts import LegalExtracts
from bot.services.legal_request_decisions import ask_permission
from bot.services.legal_requests import LegalRequestInput, log_legal_request
from consent_store.legal_requests import LegalRequests
from consent_store.records import NewAttendee
from consent_store.tables import AuditEntryRow, LegalRequestRow, ReviewItemRow
from consent_store.unit_of_work import Store
from domain.terms import AttendeeKind
from sandbox.seed import COORDINATOR, PARENT_CARER, SENCO, SEND_OFFICER
from tests.builders import a_meeting, schedule
from tests.conftest import FakeClock
from tests.sandbox.conftest import RunningSandbox
from tests.tenant_flows.conftest import People

PARENT = NewAttendee(PARENT_CARER.display_name, PARENT_CARER.address, AttendeeKind.PARENT_CARER)
SCHOOL = NewAttendee(SENCO.display_name, SENCO.address, AttendeeKind.PROFESSIONAL, "Fellside")
ADVISER = NewAttendee(COORDINATOR.display_name, COORDINATOR.mail, AttendeeKind.STAFF)
MANAGER = "manager-object-id"
BASIS = "Judicial review of the EHC needs assessment decision"


@pytest.fixture
def service(env_without_iass: Path) -> ServiceProfile:
    return ServiceProfile()


def _now(clock: FakeClock) -> None:
    clock.now = datetime.now(UTC)


async def a_meeting_with_answers(
    store: Store, mailbox: ConsentMailbox, people: People, service: ServiceProfile
) -> str:
    """A meeting the parent and the SENCO both answered about; its reference."""
    meeting_id, _ = await schedule(
        store,
        a_meeting(
            starts_at=datetime.now(UTC) + timedelta(days=2),
            attendees=(PARENT, SCHOOL, ADVISER),
            documents=(),
        ),
    )
    async with store.reading() as uow:
        reference = (await uow.meetings.get(meeting_id)).reference
    await send_consent_requests(store, mailbox, service, meeting_id, "Priya Raman", actor="t")
    await people.reply(PARENT_CARER.address, reference, "Recording: yes")
    await people.reply(SENCO.address, reference, "No, I do not agree to recording")
    assert await MailboxReader(store, mailbox, service).catch_up() == {"recorded": 2}
    return reference


async def logged_and_asked(
    store: Store, mailbox: ConsentMailbox, service: ServiceProfile, meeting: str
) -> str:
    legal = await log_legal_request(
        store,
        LegalRequestInput(
            officer_name=f"{SEND_OFFICER.display_name}, SEND casework officer",
            officer_email=SEND_OFFICER.address,
            basis=BASIS,
            meeting_references=(meeting,),
            service_user_email=PARENT_CARER.address,
        ),
        actor="staff-object-id",
    )
    await ask_permission(store, mailbox, service, legal, MANAGER)
    return legal


def runner(store: Store, mailbox: ConsentMailbox, service: ServiceProfile) -> JobRunner:
    return JobRunner(
        store,
        LegalExtracts(store, mailbox, service).handlers(),
        "instance-b",
        timedelta(minutes=1),
        timedelta(seconds=1),
        clock=store.clock,
    )


async def mime(sandbox: RunningSandbox, address: str, message_id: str) -> EmailMessage:
    async with aiohttp.ClientSession() as http:
        url = f"{sandbox.origin}/sandbox/api/people/{quote(address)}/messages/{message_id}/mime"
        async with http.get(url) as response:
            assert response.status == 200
            parsed = message_from_bytes(await response.read(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def about(messages: list[dict[str, str]], legal: str) -> list[dict[str, str]]:
    return [m for m in messages if legal in m["subject"] and "Information" in m["subject"]]


async def audit(store: Store) -> list[tuple[str, str]]:
    async with store.reading() as uow:
        return [
            (action, detail)
            for action, detail in await uow.session.execute(
                select(AuditEntryRow.action, AuditEntryRow.detail).order_by(AuditEntryRow.seq)
            )
        ]


async def test_the_parent_agrees_and_the_officer_and_the_parent_get_the_extract(
    store: Store,
    mailbox: ConsentMailbox,
    people: People,
    service: ServiceProfile,
    clock: FakeClock,
    tenant_sandbox: RunningSandbox,
) -> None:
    _now(clock)
    meeting = await a_meeting_with_answers(store, mailbox, people, service)
    legal = await logged_and_asked(store, mailbox, service, meeting)

    await people.reply(PARENT_CARER.address, legal, "Yes")
    assert await MailboxReader(store, mailbox, service).catch_up() == {"legal_answer": 1}
    _now(clock)
    async with store.reading() as uow:
        assert (await LegalRequests(uow).get(legal)).status == "permission_given"
    assert not about(await people.inbox(SEND_OFFICER.address), legal), "sent by the job"

    assert await runner(store, mailbox, service).run_once() == 1
    (to_officer,) = about(await people.inbox(SEND_OFFICER.address), legal)
    (copy,) = about(await people.inbox(PARENT_CARER.address), legal)
    sent = await mime(tenant_sandbox, SEND_OFFICER.address, to_officer["id"])
    assert sent["To"].addresses[0].addr_spec == SEND_OFFICER.address
    assert [a.addr_spec for a in sent["Cc"].addresses] == [PARENT_CARER.address]
    assert f"{PARENT_CARER.display_name} agreed that we send it to you" in " ".join(
        to_officer["text"].split()
    )
    (attached,) = list(sent.iter_attachments())
    extract = attached.get_content()
    extract_bytes = extract.encode() if isinstance(extract, str) else extract
    in_copy = list(
        (await mime(tenant_sandbox, PARENT_CARER.address, copy["id"])).iter_attachments()
    )
    assert [a.get_content() for a in in_copy] == [attached.get_content()]

    page = extract_bytes.decode()
    assert meeting in page
    assert PARENT_CARER.display_name in page
    assert "Recording: yes" in page, "the parent's own words"
    for others in (SENCO.display_name, SENCO.address, "I do not agree", COORDINATOR.mail):
        assert others not in page, f"nothing about anyone else: {others}"

    async with store.reading() as uow:
        request = await LegalRequests(uow).get(legal)
    assert request.status == "extract_sent"
    assert request.extract is not None
    assert request.extract.sha256 == hashlib.sha256(extract_bytes).hexdigest()
    entries = await audit(store)
    actions = [action for action, _ in entries]
    for step in (
        "legal_request.logged",
        "legal_request.permission_asked",
        "legal_request.permission_given",
        "legal_request.extract_sent",
    ):
        assert step in actions
    (sent_entry,) = [d for a, d in entries if a == "legal_request.extract_sent"]
    assert request.extract.sha256 in sent_entry
    for personal in (PARENT_CARER.address, SEND_OFFICER.address, "Dev Marsh", BASIS):
        assert all(personal not in detail for _, detail in entries)

    assert await runner(store, mailbox, service).run_once() == 0
    assert len(about(await people.inbox(SEND_OFFICER.address), legal)) == 1, "sent once"


async def test_a_refusal_or_no_answer_sends_nothing(
    store: Store, mailbox: ConsentMailbox, people: People, service: ServiceProfile, clock: FakeClock
) -> None:
    _now(clock)
    meeting = await a_meeting_with_answers(store, mailbox, people, service)
    refused = await logged_and_asked(store, mailbox, service, meeting)
    unanswered = await logged_and_asked(store, mailbox, service, meeting)

    await people.reply(PARENT_CARER.address, refused, "No, I do not agree")
    assert await MailboxReader(store, mailbox, service).catch_up() == {"legal_answer": 1}
    assert await runner(store, mailbox, service).run_once() == 0
    async with store.reading() as uow:
        records = LegalRequests(uow)
        assert (await records.get(refused)).status == "permission_refused"
        assert (await records.get(unanswered)).status == "permission_asked"
    officer = await people.inbox(SEND_OFFICER.address)
    assert not about(officer, refused)
    assert not about(officer, unanswered)
    assert "legal_request.permission_refused" in [a for a, _ in await audit(store)]
    assert "legal_request.extract_sent" not in [a for a, _ in await audit(store)]


async def test_an_unclear_answer_waits_for_the_manager(
    store: Store, mailbox: ConsentMailbox, people: People, service: ServiceProfile, clock: FakeClock
) -> None:
    _now(clock)
    meeting = await a_meeting_with_answers(store, mailbox, people, service)
    legal = await logged_and_asked(store, mailbox, service, meeting)

    await people.reply(PARENT_CARER.address, legal, "Yes if they only use it for the review")
    assert await MailboxReader(store, mailbox, service).catch_up() == {"review": 1}
    assert await runner(store, mailbox, service).run_once() == 0
    async with store.reading() as uow:
        request = await LegalRequests(uow).get(legal)
        (item,) = await LegalRequests(uow).open_review_items(request.id)
    assert request.status == "permission_asked"
    assert item.reason == "not_clearly_understood"
    assert not about(await people.inbox(SEND_OFFICER.address), legal)

    _now(clock)
    read = await read_reply(store, legal, item.id, MANAGER, agreed=True)
    assert read.extract_job is not None
    assert await LegalExtracts(store, mailbox, service).send_now(request.id, read.extract_job)
    assert len(about(await people.inbox(SEND_OFFICER.address), legal)) == 1
    async with store.reading() as uow:
        assert (await uow.session.get(ReviewItemRow, item.id)).status == "confirmed"  # type: ignore[union-attr]
        answered_by = await uow.session.scalar(select(LegalRequestRow.answered_by))
    assert answered_by == f"staff:{MANAGER}"
    clock.now = datetime.now(UTC) + timedelta(minutes=5)
    assert await runner(store, mailbox, service).run_once() == 0, "the page sent it: job done"
