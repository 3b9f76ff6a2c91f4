"""The extract for a legal request is sent once however its senders race (issue 17): two bot
instances sending it at the same moment, or the manager's page sending it while a job runner
takes on the job behind it. Before, each sender checked that nothing was sent, sent, and only
then recorded it, so two senders in that window both sent it and the officer and the parent
carer got two. Now a sender claims the send in the store first (a compare-and-set on the
request); the officer's and the parent's sandbox inboxes each hold exactly one email."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.config import ServiceProfile
from bot.graph.mailbox import ConsentMailbox
from bot.mailbox.reader import MailboxReader
from bot.ports.mail import OutgoingEmail
from bot.scheduler.runner import JobRunner
from bot.services.legal_extracts import LEGAL_EXTRACT, ExtractBeingSent, LegalExtracts
from consent_store.legal_requests import LegalRequests
from consent_store.tables import JobRow
from consent_store.unit_of_work import Store
from sandbox.seed import PARENT_CARER, SEND_OFFICER
from tests.conftest import FakeClock
from tests.tenant_flows.conftest import People
from tests.tenant_flows.test_legal_requests import (
    a_meeting_with_answers,
    about,
    logged_and_asked,
)

SENDING_TAKES = 0.3
"""Seconds a send takes at Graph in these tests: long enough for the other sender to read the
request meanwhile."""


@pytest.fixture
def service(env_without_iass: Path) -> ServiceProfile:
    return ServiceProfile()


class SlowMailbox:
    """The consent mailbox, with each send taking `SENDING_TAKES` before it reaches Graph."""

    def __init__(self, mailbox: ConsentMailbox) -> None:
        self._mailbox = mailbox
        self.address = mailbox.address
        self.meeting_pages = mailbox.meeting_pages
        self.directory = mailbox.directory

    async def send(self, email: OutgoingEmail) -> None:
        await asyncio.sleep(SENDING_TAKES)
        await self._mailbox.send(email)


async def permitted(
    store: Store, mailbox: ConsentMailbox, people: People, service: ServiceProfile
) -> tuple[str, str]:
    """A request the parent carer agreed to by email; its reference and id."""
    meeting = await a_meeting_with_answers(store, mailbox, people, service)
    legal = await logged_and_asked(store, mailbox, service, meeting)
    await people.reply(PARENT_CARER.address, legal, "Yes")
    assert await MailboxReader(store, mailbox, service).catch_up() == {"legal_answer": 1}
    async with store.reading() as uow:
        request = await LegalRequests(uow).get(legal)
    assert request.status == "permission_given"
    return legal, request.id


async def sent_once(people: People, legal: str) -> None:
    assert len(about(await people.inbox(SEND_OFFICER.address), legal)) == 1
    assert len(about(await people.inbox(PARENT_CARER.address), legal)) == 1


def instance(
    store: Store, mailbox: ConsentMailbox, service: ServiceProfile, name: str
) -> JobRunner:
    return JobRunner(
        store,
        LegalExtracts(store, SlowMailbox(mailbox), service).handlers(),
        name,
        timedelta(minutes=5),
        timedelta(seconds=1),
        clock=store.clock,
    )


async def test_two_instances_sending_at_once_send_it_once(
    store: Store, mailbox: ConsentMailbox, people: People, service: ServiceProfile, clock: FakeClock
) -> None:
    clock.now = datetime.now(UTC)
    legal, request_id = await permitted(store, mailbox, people, service)

    first, second = (LegalExtracts(store, SlowMailbox(mailbox), service) for _ in range(2))
    results = await asyncio.gather(
        first.send(request_id), second.send(request_id), return_exceptions=True
    )

    assert sorted(map(type, results), key=str) == sorted([bool, ExtractBeingSent], key=str)
    assert True in results
    await sent_once(people, legal)
    async with store.reading() as uow:
        request = await LegalRequests(uow).get(legal)
    assert request.status == "extract_sent"

    clock.now = datetime.now(UTC)
    assert await instance(store, mailbox, service, "instance-a").run_once() == 1
    await sent_once(people, legal)
    async with store.reading() as uow:
        (job,) = await uow.session.scalars(select(JobRow).where(JobRow.kind == LEGAL_EXTRACT))
    assert job.done_at is not None, "the job found it sent and is done"


async def test_the_page_and_a_job_runner_racing_send_it_once(
    store: Store, mailbox: ConsentMailbox, people: People, service: ServiceProfile, clock: FakeClock
) -> None:
    clock.now = datetime.now(UTC)
    legal, request_id = await permitted(store, mailbox, people, service)
    async with store.reading() as uow:
        (job_key,) = await uow.session.scalars(
            select(JobRow.key).where(JobRow.kind == LEGAL_EXTRACT)
        )

    page = LegalExtracts(store, SlowMailbox(mailbox), service)
    runners = [instance(store, mailbox, service, name) for name in ("instance-a", "instance-b")]
    await asyncio.gather(
        page.send_now(request_id, job_key), *(runner.run_once() for runner in runners)
    )
    await sent_once(people, legal)

    clock.now = datetime.now(UTC) + timedelta(hours=1)
    for runner in runners:
        await runner.run_once()
    await sent_once(people, legal)
    async with store.reading() as uow:
        (job,) = await uow.session.scalars(select(JobRow).where(JobRow.kind == LEGAL_EXTRACT))
        request = await LegalRequests(uow).get(legal)
    assert job.done_at is not None
    assert request.status == "extract_sent"
