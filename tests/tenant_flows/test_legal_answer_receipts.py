"""The receipt for an answer to a legal request (issue 17), end to end against the sandbox
tenant: the parent carer answers the request for permission by email, yes or no, and their
sandbox inbox holds one receipt saying in plain words what they answered and what happens next
(the information goes to the officer with a copy to them, or nothing is sent). It is queued
with the answer, so if the reader cannot send it the job runner does, and it is sent once
however the reader and the job runners race. An answer the manager reads from the review queue
gets its receipt too."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.config import ServiceProfile
from bot.graph.mailbox import ConsentMailbox
from bot.mailbox.reader import MailboxReader
from bot.ports.mail import OutgoingEmail
from bot.scheduler.runner import JobRunner
from bot.services.legal_answers import read_reply
from bot.services.legal_receipts import LEGAL_RECEIPT, LegalReceipts
from consent_store.legal_requests import LegalRequests
from consent_store.tables import AuditEntryRow, JobRow
from consent_store.unit_of_work import Store
from sandbox.seed import PARENT_CARER, SEND_OFFICER
from tests.conftest import FakeClock
from tests.tenant_flows.conftest import People
from tests.tenant_flows.test_legal_extract_once import SlowMailbox
from tests.tenant_flows.test_legal_requests import (
    MANAGER,
    a_meeting_with_answers,
    logged_and_asked,
)

OFFICER = f"{SEND_OFFICER.display_name}, SEND casework officer"


@pytest.fixture
def service(env_without_iass: Path) -> ServiceProfile:
    return ServiceProfile()


async def receipts(people: People, legal: str) -> list[str]:
    """The text of each receipt for an answer to `legal` in the parent carer's inbox."""
    return [
        " ".join(m["text"].split())
        for m in await people.inbox(PARENT_CARER.address)
        if m["subject"] == f"We have recorded your answer [{legal}]"
    ]


def runner(store: Store, mailbox: ConsentMailbox, service: ServiceProfile, name: str) -> JobRunner:
    return JobRunner(
        store,
        MailboxReader(store, mailbox, service).follow_up_handlers(),
        name,
        timedelta(minutes=5),
        timedelta(seconds=1),
        clock=store.clock,
    )


async def asked(
    store: Store, mailbox: ConsentMailbox, people: People, service: ServiceProfile
) -> str:
    meeting = await a_meeting_with_answers(store, mailbox, people, service)
    return await logged_and_asked(store, mailbox, service, meeting)


async def test_a_yes_gets_a_receipt_saying_the_officer_gets_it_with_a_copy_to_them(
    store: Store, mailbox: ConsentMailbox, people: People, service: ServiceProfile, clock: FakeClock
) -> None:
    clock.now = datetime.now(UTC)
    legal = await asked(store, mailbox, people, service)

    await people.reply(PARENT_CARER.address, legal, "Yes")
    assert await MailboxReader(store, mailbox, service).catch_up() == {"legal_answer": 1}

    (receipt,) = await receipts(people, legal)
    assert f"Dear {PARENT_CARER.display_name}" in receipt
    assert f"you said yes: you agreed that we send information from our records to {OFFICER}" in (
        receipt
    )
    assert f"we will email {OFFICER} the decisions and notes from the meetings" in receipt
    assert "We will send you a copy at this email address" in receipt
    assert legal in receipt

    clock.now = datetime.now(UTC) + timedelta(minutes=5)
    assert await runner(store, mailbox, service, "instance-b").run_once() == 0, "its job is done"
    assert len(await receipts(people, legal)) == 1, "sent once"
    async with store.reading() as uow:
        entries = list(
            await uow.session.scalars(
                select(AuditEntryRow.detail).where(
                    AuditEntryRow.action == "legal_request.receipt_sent"
                )
            )
        )
    assert len(entries) == 1
    assert '"answer": "given"' in entries[0].replace('":"', '": "')
    for personal in (PARENT_CARER.address, PARENT_CARER.display_name, OFFICER):
        assert personal not in entries[0]


async def test_a_no_gets_a_receipt_saying_nothing_will_be_sent(
    store: Store, mailbox: ConsentMailbox, people: People, service: ServiceProfile, clock: FakeClock
) -> None:
    clock.now = datetime.now(UTC)
    legal = await asked(store, mailbox, people, service)

    await people.reply(PARENT_CARER.address, legal, "No, I do not agree")
    assert await MailboxReader(store, mailbox, service).catch_up() == {"legal_answer": 1}

    (receipt,) = await receipts(people, legal)
    assert (
        f"you said no: you did not agree that we send information from our records to {OFFICER}"
        in (receipt)
    )
    assert f"nothing will be sent to {OFFICER}" in receipt
    assert "copy" not in receipt


async def test_the_job_runner_sends_it_when_the_reader_could_not(
    store: Store,
    mailbox: ConsentMailbox,
    people: People,
    service: ServiceProfile,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock.now = datetime.now(UTC)
    legal = await asked(store, mailbox, people, service)
    await people.reply(PARENT_CARER.address, legal, "Yes")

    async def graph_down(email: OutgoingEmail) -> None:
        raise httpx.ConnectError("Graph cannot be reached")

    reader = MailboxReader(store, mailbox, service)
    with monkeypatch.context() as patched:
        patched.setattr(mailbox, "send", graph_down)
        assert await reader.catch_up() == {"legal_answer": 1}
    assert await receipts(people, legal) == []

    clock.now = datetime.now(UTC) + timedelta(minutes=2)
    assert await runner(store, mailbox, service, "instance-b").run_once() == 1
    assert len(await receipts(people, legal)) == 1
    assert await runner(store, mailbox, service, "instance-b").run_once() == 0
    assert len(await receipts(people, legal)) == 1


async def test_the_reader_and_two_job_runners_racing_send_it_once(
    store: Store, mailbox: ConsentMailbox, people: People, service: ServiceProfile, clock: FakeClock
) -> None:
    clock.now = datetime.now(UTC)
    legal = await asked(store, mailbox, people, service)
    await people.reply(PARENT_CARER.address, legal, "Yes")
    reader = MailboxReader(store, mailbox, service)
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(LegalReceipts, "send_now", _not_now)
        assert await reader.catch_up() == {"legal_answer": 1}
    async with store.reading() as uow:
        (key,) = await uow.session.scalars(select(JobRow.key).where(JobRow.kind == LEGAL_RECEIPT))

    clock.now = datetime.now(UTC) + timedelta(minutes=2)
    slow = SlowMailbox(mailbox)
    runners = [
        JobRunner(
            store,
            LegalReceipts(store, slow, service).handlers(),
            name,
            timedelta(minutes=5),
            timedelta(seconds=1),
            clock=store.clock,
        )
        for name in ("instance-a", "instance-b")
    ]
    await asyncio.gather(
        LegalReceipts(store, slow, service).send_now(key),
        *(r.run_once() for r in runners),
    )
    assert len(await receipts(people, legal)) == 1


async def _not_now(self: LegalReceipts, job_key: str) -> bool:
    """The reader stopped before sending the receipt at once (it died, say)."""
    return False


async def test_an_answer_the_manager_reads_gets_its_receipt(
    store: Store, mailbox: ConsentMailbox, people: People, service: ServiceProfile, clock: FakeClock
) -> None:
    clock.now = datetime.now(UTC)
    legal = await asked(store, mailbox, people, service)
    await people.reply(PARENT_CARER.address, legal, "Not sure, maybe no")
    assert await MailboxReader(store, mailbox, service).catch_up() == {"review": 1}
    assert await receipts(people, legal) == [], "nothing recorded yet"
    async with store.reading() as uow:
        request = await LegalRequests(uow).get(legal)
        (item,) = await LegalRequests(uow).open_review_items(request.id)

    clock.now = datetime.now(UTC)
    await read_reply(store, legal, item.id, MANAGER, agreed=False)
    assert await runner(store, mailbox, service, "instance-a").run_once() == 2, (
        "the acknowledgement that the manager would read it, and the receipt"
    )
    (receipt,) = await receipts(people, legal)
    assert f"nothing will be sent to {OFFICER}" in receipt
    assert await runner(store, mailbox, service, "instance-a").run_once() == 0
    assert len(await receipts(people, legal)) == 1
