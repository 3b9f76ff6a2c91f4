"""Intake's rules on single emails, straight into the store (both engines)."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

from sqlalchemy import select

from bot.services.consent_intake import take_in, take_in_all
from bot.services.intake_results import InboundEmail, IntakeOutcome
from consent_store.records import NewConsentRequest
from consent_store.tables import InboundEmailRow
from consent_store.unit_of_work import Store
from domain.terms import Decision, Topic
from tests.builders import MEETING_START, PARENT, schedule

PASS = "spf=pass smtp.mailfrom=example.org; dkim=pass header.d=example.org; dmarc=pass action=none header.from=example.org; compauth=pass reason=100"  # noqa: E501


def reply(
    reference: str, text: str, *, sender: str = PARENT.email, message_id: str = "<r1@example.org>"
) -> bytes:
    message = EmailMessage()
    message["Authentication-Results"] = PASS
    message["From"] = sender
    message["To"] = "consent@iass.example.com"
    message["Subject"] = f"RE: Your meeting: please reply [{reference}]"
    message["Message-ID"] = message_id
    message.set_content(text)
    return bytes(message)


async def asked(store: Store) -> tuple[str, str, str]:
    meeting_id, (parent, _, _) = await schedule(store)
    async with store.unit_of_work() as uow:
        await uow.meetings.add_request(
            NewConsentRequest(
                meeting_id=meeting_id,
                attendee_id=parent,
                message_id="<request-1@iass.example.com>",
                template_version="consent-request/1/adult",
                text_sha256="0" * 64,
                topics=(Topic.RECORDING, Topic.DOCUMENTS),
                documents_covered=(),
                sent_at=MEETING_START - timedelta(days=5),
            )
        )
        reference = (await uow.meetings.get(meeting_id)).reference
        await uow.commit()
    return meeting_id, parent, reference


async def test_a_reply_after_the_start_is_recorded_as_late(store: Store) -> None:
    _, _, reference = await asked(store)
    result = await take_in(
        store,
        InboundEmail(reply(reference, "Yes to everything."), MEETING_START + timedelta(minutes=5)),
    )
    assert result.outcome is IntakeOutcome.LATE
    assert set(result.decisions) == {
        (Topic.RECORDING, Decision.GIVEN),
        (Topic.DOCUMENTS, Decision.GIVEN),
    }


async def test_only_what_was_asked_is_recorded(store: Store) -> None:
    _, _, reference = await asked(store)
    result = await take_in(
        store,
        InboundEmail(reply(reference, "Yes to everything."), MEETING_START - timedelta(days=1)),
    )
    assert Topic.CONTRIBUTION not in {topic for topic, _ in result.decisions}


async def test_with_no_request_on_record_a_person_decides(store: Store) -> None:
    meeting_id, _ = await schedule(store)
    async with store.unit_of_work() as uow:
        reference = (await uow.meetings.get(meeting_id)).reference
    result = await take_in(
        store, InboundEmail(reply(reference, "Yes."), MEETING_START - timedelta(days=1))
    )
    assert (result.outcome, result.reason) == (IntakeOutcome.REVIEW, "no_request_sent")


async def test_the_same_email_twice_is_recorded_once(store: Store) -> None:
    _, _, reference = await asked(store)
    email = InboundEmail(reply(reference, "No thank you."), MEETING_START - timedelta(days=1))
    assert (await take_in(store, email)).outcome is IntakeOutcome.RECORDED
    assert (await take_in(store, email)).outcome is IntakeOutcome.DUPLICATE


async def test_unreadable_and_oversized_email_is_noted_never_raised(store: Store) -> None:
    garbage = await take_in(store, InboundEmail(b"\x00\xff" * 10, MEETING_START))
    huge = await take_in(
        store, InboundEmail(b"Subject: x\r\n\r\n" + b"y" * (2 << 20), MEETING_START)
    )
    assert garbage.outcome in (IntakeOutcome.UNREADABLE, IntakeOutcome.REVIEW)
    assert huge.outcome is IntakeOutcome.UNREADABLE
    async with store.unit_of_work() as uow:
        rows = (await uow.session.scalars(select(InboundEmailRow))).all()
    assert {row.size_bytes for row in rows} == {20, len(b"Subject: x\r\n\r\n") + (2 << 20)}


async def test_an_out_of_office_decides_nothing(store: Store) -> None:
    _, _, reference = await asked(store)
    message = reply(
        reference, "I am out of the office until Monday.", message_id="<ooo@example.org>"
    )
    message = message.replace(
        b"Subject: RE:", b"Auto-Submitted: auto-replied\nSubject: Automatic reply:"
    )
    result = await take_in(store, InboundEmail(message, MEETING_START - timedelta(days=1)))
    assert result.outcome is IntakeOutcome.AUTO_REPLY
    assert result.decisions == ()


async def test_a_batch_keeps_its_other_emails_when_one_was_already_recorded(store: Store) -> None:
    _, _, reference = await asked(store)
    first = InboundEmail(reply(reference, "No thank you."), MEETING_START - timedelta(days=2))
    second = InboundEmail(
        reply(reference, "Yes to everything.", message_id="<r2@example.org>"),
        MEETING_START - timedelta(days=1),
    )
    await take_in(store, first)
    results = await take_in_all(store, [first, second])
    assert [r.outcome for r in results] == [IntakeOutcome.DUPLICATE, IntakeOutcome.RECORDED]
