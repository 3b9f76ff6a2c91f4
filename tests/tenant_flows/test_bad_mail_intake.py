"""One email in an unknown charset among the replies: the consent mailbox still lists every
message, and the bot takes in the good replies (the bad one is noted, never recorded as a
decision)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ServiceProfile
from bot.graph.mailbox import ConsentMailbox
from bot.mailbox.reader import MailboxReader
from consent_store.unit_of_work import Store
from domain.terms import Decision, Topic
from sandbox.seed import CONSENT_MAILBOX, PARENT_CARER, SENCO
from tests.sandbox.conftest import RunningSandbox
from tests.tenant_flows.conftest import People
from tests.tenant_flows.test_consent_by_email import scheduled_and_asked


@pytest.fixture
def service(env_without_iass: Path) -> ServiceProfile:
    return ServiceProfile()


def in_unknown_charset(reference: str) -> bytes:
    return (
        f"From: {PARENT_CARER.display_name} <{PARENT_CARER.address}>\r\n"
        f"To: {CONSENT_MAILBOX.mail}\r\nSubject: RE: Your meeting [{reference}]\r\n"
        f"Message-ID: <klingon-{reference}@example.org>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=x-klingon\r\n\r\n"
    ).encode() + b"Qapla' \xe9\xe9\r\n"


async def test_one_unknown_charset_email_does_not_stop_the_good_replies(
    store: Store,
    mailbox: ConsentMailbox,
    people: People,
    service: ServiceProfile,
    tenant_sandbox: RunningSandbox,
) -> None:
    meeting_id, reference, (parent, school, _) = await scheduled_and_asked(store, mailbox, service)
    tenant_sandbox.tenant.correspondents.send_mime(
        PARENT_CARER.address, CONSENT_MAILBOX.mail, in_unknown_charset(reference)
    )
    await people.reply(PARENT_CARER.address, reference, "Yes, I agree to everything.")
    await people.reply(SENCO.address, reference, "No, I'd rather it wasn't recorded, sorry.")

    outcomes = await MailboxReader(store, mailbox, service).catch_up()

    assert outcomes["recorded"] == 2
    assert sum(outcomes.values()) == 3
    async with store.unit_of_work() as uow:
        facts = await uow.meetings.facts(meeting_id)
    assert {(d.attendee_id, d.topic, d.decision) for d in facts.decisions} == {
        (parent, Topic.RECORDING, Decision.GIVEN),
        (parent, Topic.DOCUMENTS, Decision.GIVEN),
        (parent, Topic.CONTRIBUTION, Decision.GIVEN),
        (school, Topic.RECORDING, Decision.REFUSED),
    }
