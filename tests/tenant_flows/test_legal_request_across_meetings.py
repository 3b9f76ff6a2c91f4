"""A legal request naming two meetings with the same parent carer, end to end against the
sandbox tenant (issue 17): the parent is asked once, about both meetings; they agree by email;
the officer gets one extract covering both meetings, with one copy to the parent, holding the
parent's own decisions in each and nothing about anyone else."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from bot.config import ServiceProfile
from bot.graph.mailbox import ConsentMailbox
from bot.mailbox.reader import MailboxReader
from bot.services.consent_requests import send_consent_requests
from bot.services.legal_request_decisions import ask_permission
from bot.services.legal_requests import LegalRequestInput, log_legal_request
from consent_store.legal_requests import LegalRequests
from consent_store.unit_of_work import Store
from sandbox.seed import PARENT_CARER, SENCO, SEND_OFFICER
from tests.builders import a_meeting, schedule
from tests.conftest import FakeClock
from tests.sandbox.conftest import RunningSandbox
from tests.tenant_flows.conftest import People
from tests.tenant_flows.test_legal_requests import (
    ADVISER,
    BASIS,
    MANAGER,
    PARENT,
    SCHOOL,
    about,
    audit,
    mime,
    runner,
    service,
)

__all__ = ["service"]

TITLES = ("Annual review planning", "Transport appeal follow-up")


async def a_meeting_answered(
    store: Store,
    mailbox: ConsentMailbox,
    people: People,
    service: ServiceProfile,
    title: str,
    days: int,
    parent_says: str,
) -> str:
    """A meeting the parent and the SENCO both answered about; its reference."""
    meeting_id, _ = await schedule(
        store,
        a_meeting(
            title=title,
            starts_at=datetime.now(UTC) + timedelta(days=days),
            attendees=(PARENT, SCHOOL, ADVISER),
            documents=(),
        ),
    )
    async with store.reading() as uow:
        reference = (await uow.meetings.get(meeting_id)).reference
    await send_consent_requests(store, mailbox, service, meeting_id, "Priya Raman", actor="t")
    await people.reply(PARENT_CARER.address, reference, parent_says)
    await people.reply(SENCO.address, reference, "No, I do not agree to recording")
    assert await MailboxReader(store, mailbox, service).catch_up() == {"recorded": 2}
    return reference


async def test_one_request_about_two_meetings_asks_once_and_sends_one_extract(
    store: Store,
    mailbox: ConsentMailbox,
    people: People,
    service: ServiceProfile,
    clock: FakeClock,
    tenant_sandbox: RunningSandbox,
) -> None:
    clock.now = datetime.now(UTC)
    first = await a_meeting_answered(
        store, mailbox, people, service, TITLES[0], 2, "Recording: yes"
    )
    second = await a_meeting_answered(
        store, mailbox, people, service, TITLES[1], 9, "Yes, you can record it"
    )
    legal = await log_legal_request(
        store,
        LegalRequestInput(
            officer_name=f"{SEND_OFFICER.display_name}, SEND casework officer",
            officer_email=SEND_OFFICER.address,
            basis=BASIS,
            meeting_references=(second, first),
            service_user_email=PARENT_CARER.address,
        ),
        actor="staff-object-id",
    )
    await ask_permission(store, mailbox, service, legal, MANAGER)

    (asked,) = [m for m in await people.inbox(PARENT_CARER.address) if legal in m["subject"]]
    words = " ".join(asked["text"].split())
    assert "The decisions and notes from these meetings only:" in words
    assert all(title in words for title in TITLES), "both meetings named in the one email"

    await people.reply(PARENT_CARER.address, legal, "Yes")
    assert await MailboxReader(store, mailbox, service).catch_up() == {"legal_answer": 1}
    clock.now = datetime.now(UTC)
    assert await runner(store, mailbox, service).run_once() == 1

    (to_officer,) = about(await people.inbox(SEND_OFFICER.address), legal)
    (copy,) = about(await people.inbox(PARENT_CARER.address), legal)
    sent = await mime(tenant_sandbox, SEND_OFFICER.address, to_officer["id"])
    assert [a.addr_spec for a in sent["Cc"].addresses] == [PARENT_CARER.address]
    (attached,) = list(sent.iter_attachments())
    in_copy = list(
        (await mime(tenant_sandbox, PARENT_CARER.address, copy["id"])).iter_attachments()
    )
    assert [a.get_content() for a in in_copy] == [attached.get_content()]
    content = attached.get_content()
    page = content.decode() if isinstance(content, bytes) else content
    for held in (first, second, "Recording: yes", "you can record it"):
        assert held in page, f"both meetings' decisions: {held}"
    for others in (SENCO.display_name, SENCO.address, "I do not agree", ADVISER.email):
        assert others not in page, f"nothing about anyone else: {others}"

    async with store.reading() as uow:
        request = await LegalRequests(uow).get(legal)
    assert request.status == "extract_sent"
    assert request.meeting_references == (first, second)
    entries = await audit(store)
    actions = [action for action, _ in entries]
    assert actions.count("legal_request.permission_asked") == 1
    assert actions.count("legal_request.extract_sent") == 1
    (sent_entry,) = [d for a, d in entries if a == "legal_request.extract_sent"]
    assert json.loads(sent_entry)["meetings"] == 2
    for personal in (PARENT_CARER.address, SEND_OFFICER.address, BASIS, *TITLES):
        assert all(personal not in detail for _, detail in entries)
