"""Only the words a reply shows count, end to end: an invited, authenticated parent carer whose
HTML reply hides "Yes" gets no consent recorded; the reply goes to a person instead. The replies
leave the people's sandbox mailboxes as their mail programs wrote them and are read by the real
mailbox reader through Graph."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP
from email.utils import make_msgid
from pathlib import Path

import pytest

from bot.config import ServiceProfile
from bot.graph.mailbox import ConsentMailbox
from bot.mailbox.reader import MailboxReader
from bot.policy.blockers import BlockerCode
from bot.policy.recording_gate import evaluate_recording
from consent_store.unit_of_work import Store
from domain.terms import Decision, Topic
from sandbox.seed import CONSENT_MAILBOX, PARENT_CARER, SENCO
from tests.tenant_flows.conftest import People
from tests.tenant_flows.test_consent_by_email import scheduled_and_asked

CONSENT = "Yes, I agree to everything."


@pytest.fixture
def service(env_without_iass: Path) -> ServiceProfile:
    return ServiceProfile()


async def reply_mime(
    people: People, address: str, reference: str, *parts: tuple[str, str]
) -> bytes:
    """A reply to the consent request in `address`'s inbox with the given (subtype, body) parts:
    one part alone, or several as multipart/alternative."""
    (request,) = [m for m in await people.inbox(address) if reference in m["subject"]]
    message = EmailMessage(policy=SMTP)
    message["From"] = address
    message["To"] = CONSENT_MAILBOX.mail
    message["Subject"] = f"RE: {request['subject']}"
    message["Message-ID"] = make_msgid(domain=address.split("@")[1])
    message["In-Reply-To"] = request["internetMessageId"]
    (first_subtype, first_body), *others = parts
    message.set_content(first_body, subtype=first_subtype)
    for subtype, body in others:
        message.add_alternative(body, subtype=subtype)
    return message.as_bytes()


async def test_a_yes_hidden_in_html_records_no_consent(
    store: Store, mailbox: ConsentMailbox, people: People, service: ServiceProfile
) -> None:
    meeting_id, reference, (parent, school, _) = await scheduled_and_asked(store, mailbox, service)
    hidden_yes = (
        f"<html><head><title>{CONSENT}</title></head><body><p>Thanks</p>"
        f'<div style="display:none">{CONSENT}</div></body></html>'
    )
    await people.send_mime(
        PARENT_CARER.address,
        await reply_mime(people, PARENT_CARER.address, reference, ("html", hidden_yes)),
    )
    # A text/plain part that keeps words its HTML shows white on white.
    white_yes = f'<p>Thanks</p><p style="color:#ffffff">{CONSENT}</p>'
    await people.send_mime(
        SENCO.address,
        await reply_mime(
            people, SENCO.address, reference, ("plain", f"Thanks\n\n{CONSENT}"), ("html", white_yes)
        ),
    )
    reader = MailboxReader(store, mailbox, service)
    assert await reader.catch_up() == {"review": 2}

    async with store.unit_of_work() as uow:
        facts = await uow.meetings.facts(meeting_id)
    assert not [d for d in facts.decisions if d.decision is Decision.GIVEN]
    blockers = {(b.code, b.attendee_id) for b in evaluate_recording(facts).blockers}
    assert {(BlockerCode.NO_REPLY, parent), (BlockerCode.NO_REPLY, school)} <= blockers

    # The same parent's HTML reply that shows its "Yes" is read as consent.
    shown_yes = f'<p style="color:#ffffff;background:#1f497d">{CONSENT}</p>'
    await people.send_mime(
        PARENT_CARER.address,
        await reply_mime(people, PARENT_CARER.address, reference, ("html", shown_yes)),
    )
    assert await reader.catch_up() == {"recorded": 1}
    async with store.unit_of_work() as uow:
        facts = await uow.meetings.facts(meeting_id)
    said = {(d.attendee_id, d.topic, d.decision) for d in facts.decisions}
    assert (parent, Topic.RECORDING, Decision.GIVEN) in said
