"""A forged email carrying the Message-ID of a real reply can never hide that reply: through the
real mailbox reader against the sandbox tenant, whose mail servers stamp the authentication
verdict, the real reply is recorded whichever of the two arrives first, and its sender gets a
receipt; two unauthenticated emails sharing a Message-ID are both taken in. The same email read
twice is still recorded once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import quote

import aiohttp
import pytest
from sqlalchemy import update

from bot.config import ServiceProfile
from bot.graph.mailbox import ConsentMailbox
from bot.mailbox.reader import MailboxReader
from bot.policy.blockers import BlockerCode
from bot.policy.recording_gate import evaluate_recording
from bot.services.consent_intake import take_in
from bot.services.intake_results import InboundEmail, IntakeOutcome
from consent_store.tables import MailboxCursorRow
from consent_store.unit_of_work import Store
from domain.terms import AuthVerdict, Decision, Topic
from sandbox.seed import CONSENT_MAILBOX, PARENT_CARER, SEND_OFFICER
from tests.builders import MEETING_START
from tests.sandbox.conftest import RunningSandbox
from tests.tenant_flows.conftest import People
from tests.tenant_flows.test_consent_by_email import scheduled_and_asked
from tests.tenant_flows.test_take_in import asked, reply

CHOSEN_MESSAGE_ID = "<reply-7f3a9c@mail.example.org>"


@pytest.fixture
def service(env_without_iass: Path) -> ServiceProfile:
    return ServiceProfile()


async def send_as(
    sandbox: RunningSandbox,
    address: str,
    request: dict[str, str],
    text: str,
    *,
    authentication: str,
) -> None:
    """A reply to the consent request, as `address`'s mail program writes it, with the Message-ID
    the sender chose; the tenant's mail servers stamp `authentication` on it."""
    message = EmailMessage()
    message["From"] = address
    message["To"] = CONSENT_MAILBOX.mail
    message["Subject"] = f"RE: {request['subject']}"
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = CHOSEN_MESSAGE_ID
    message["In-Reply-To"] = request["internetMessageId"]
    message["References"] = request["internetMessageId"]
    message.set_content(text)
    query = f"to={quote(CONSENT_MAILBOX.mail)}&authentication={authentication}"
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            sandbox.url(f"/sandbox/api/people/{quote(address)}/mime?{query}"), data=bytes(message)
        ) as response,
    ):
        assert response.status == 202, await response.text()


async def receipts(people: People) -> list[dict[str, str]]:
    return [
        m
        for m in await people.inbox(PARENT_CARER.address)
        if "recorded your answer" in m["subject"]
    ]


async def test_a_forged_no_sent_first_does_not_hide_the_real_yes(
    store: Store,
    mailbox: ConsentMailbox,
    people: People,
    service: ServiceProfile,
    tenant_sandbox: RunningSandbox,
) -> None:
    meeting_id, _, (parent, _, _) = await scheduled_and_asked(store, mailbox, service)
    (request,) = await people.inbox(PARENT_CARER.address)
    reader = MailboxReader(store, mailbox, service)

    await send_as(tenant_sandbox, PARENT_CARER.address, request, "No.", authentication="fail")
    assert await reader.catch_up() == {"recorded": 1}
    await asyncio.sleep(1.1)  # mail is stamped to the second; a tie is settled by refusing
    await send_as(
        tenant_sandbox, PARENT_CARER.address, request, "Yes to everything.", authentication="pass"
    )
    assert await reader.catch_up() == {"recorded": 1}

    async with store.reading() as uow:
        facts = await uow.meetings.facts(meeting_id)
    parents = sorted(
        (d.received_at, d.auth, d.decision) for d in facts.decisions if d.topic is Topic.RECORDING
    )
    assert [(auth, decision) for _, auth, decision in parents] == [
        (AuthVerdict.FAIL, Decision.REFUSED),
        (AuthVerdict.PASS, Decision.GIVEN),
    ]
    assert parent not in {b.attendee_id for b in evaluate_recording(facts).blockers}
    assert len(await receipts(people)) == 2, "a receipt for each, at the invited address"


async def test_a_yes_from_someone_else_sent_first_does_not_hide_a_real_withdrawal(
    store: Store,
    mailbox: ConsentMailbox,
    people: People,
    service: ServiceProfile,
    tenant_sandbox: RunningSandbox,
) -> None:
    meeting_id, reference, (parent, _, _) = await scheduled_and_asked(store, mailbox, service)
    (request,) = await people.inbox(PARENT_CARER.address)
    reader = MailboxReader(store, mailbox, service)
    await people.reply(PARENT_CARER.address, reference, "Yes to everything.")
    assert await reader.catch_up() == {"recorded": 1}

    await send_as(tenant_sandbox, SEND_OFFICER.address, request, "Yes.", authentication="pass")
    await send_as(
        tenant_sandbox,
        PARENT_CARER.address,
        request,
        "I have changed my mind: please do not record it.",
        authentication="pass",
    )
    assert await reader.catch_up() == {"review": 1, "recorded": 1}

    async with store.reading() as uow:
        facts = await uow.meetings.facts(meeting_id)
    assert (BlockerCode.WITHDRAWN, parent) in {
        (b.code, b.attendee_id) for b in evaluate_recording(facts).blockers
    }


async def test_the_same_emails_read_again_from_the_start_are_recorded_once(
    store: Store,
    mailbox: ConsentMailbox,
    people: People,
    service: ServiceProfile,
    tenant_sandbox: RunningSandbox,
) -> None:
    meeting_id, _, _ = await scheduled_and_asked(store, mailbox, service)
    (request,) = await people.inbox(PARENT_CARER.address)
    await send_as(tenant_sandbox, PARENT_CARER.address, request, "No.", authentication="fail")
    await send_as(
        tenant_sandbox, PARENT_CARER.address, request, "Yes to everything.", authentication="pass"
    )
    reader = MailboxReader(store, mailbox, service)
    assert await reader.catch_up() == {"recorded": 2}
    async with store.reading() as uow:
        recorded = (await uow.meetings.facts(meeting_id)).decisions

    async with store.unit_of_work() as uow:
        await uow.session.execute(update(MailboxCursorRow).values(delta_link=None))
        await uow.commit()
    assert await reader.catch_up() == {"duplicate": 2}

    async with store.reading() as uow:
        assert (await uow.meetings.facts(meeting_id)).decisions == recorded
    assert len(await receipts(people)) == 2


async def test_two_unauthenticated_emails_sharing_a_message_id_are_both_taken_in(
    store: Store,
) -> None:
    _, _, reference = await asked(store)
    at = MEETING_START - timedelta(days=1)
    unauthenticated = [
        InboundEmail(
            reply(reference, text)
            .replace(b"dmarc=pass", b"dmarc=none")
            .replace(b"compauth=pass", b"compauth=none"),
            at,
            item,
        )
        for text, item in (("Yes.", "AAMkAD-first"), ("No.", "AAMkAD-second"))
    ]
    results = [await take_in(store, email) for email in unauthenticated]
    again = await take_in(store, unauthenticated[1])

    assert [r.outcome for r in results] == [IntakeOutcome.RECORDED, IntakeOutcome.RECORDED]
    assert again.outcome is IntakeOutcome.DUPLICATE
