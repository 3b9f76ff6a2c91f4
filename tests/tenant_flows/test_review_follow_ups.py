"""What the review queue owes the person who wrote, end to end against the sandbox tenant, with
crashes between steps (issue 19):

- a reply that goes to review is acknowledged (a member of staff will read it), by a job written
  with the review item, so a reader that dies after the commit still owes it; sent once;
- a conditional agreement can be confirmed only as refused, or as given with the condition
  written down (sealed); the receipt repeats the condition, and it is a job written with the
  decisions, so a page that dies after the commit, or a Graph failure, still ends in one receipt;
- the subject access report holds the request's words as sent and the condition.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.config import ServiceProfile
from bot.graph.mailbox import ConsentMailbox
from bot.mailbox.reader import MailboxReader
from bot.scheduler.runner import JobRunner
from bot.services.consent_requests import send_consent_requests
from bot.services.review_follow_ups import RECEIPT_GRACE, ReviewFollowUps
from bot.services.review_queue import ReviewRefused, confirm
from consent_store.records import NewAttendee
from consent_store.subject_access import subject_access_report
from consent_store.tables import ConsentDecisionRow, ReviewItemRow
from consent_store.unit_of_work import Store
from domain.terms import AttendeeKind, Decision, Topic
from sandbox.seed import PARENT_CARER, SENCO
from tests.builders import a_meeting, schedule
from tests.conftest import FakeClock
from tests.sandbox.conftest import RunningSandbox
from tests.tenant_flows.conftest import People

PARENT = NewAttendee(PARENT_CARER.display_name, PARENT_CARER.address, AttendeeKind.PARENT_CARER)
SCHOOL = NewAttendee(SENCO.display_name, SENCO.address, AttendeeKind.PROFESSIONAL, "Fellside")
CONDITIONAL = "Yes as long as the recording is only kept until the annual review is finished."
CONDITION = "Only kept until the annual review is finished"
STAFF = "staff-object-id"


@pytest.fixture
def service(env_without_iass: Path) -> ServiceProfile:
    return ServiceProfile()


async def asked(
    store: Store, mailbox: ConsentMailbox, service: ServiceProfile, clock: FakeClock
) -> tuple[str, str, str]:
    clock.now = datetime.now(UTC) - timedelta(seconds=5)
    meeting_id, (parent, _) = await schedule(
        store,
        a_meeting(starts_at=clock.now + timedelta(days=2), attendees=(PARENT, SCHOOL)),
    )
    async with store.unit_of_work() as uow:
        reference = (await uow.meetings.get(meeting_id)).reference
    await send_consent_requests(store, mailbox, service, meeting_id, "Priya Raman", actor="test")
    return meeting_id, reference, parent


def runner(store: Store, reader: MailboxReader) -> JobRunner:
    """Another instance's job runner, with only the follow-up jobs (no Teams to reconcile)."""
    return JobRunner(
        store,
        reader.follow_up_handlers(),
        "instance-b",
        timedelta(minutes=1),
        timedelta(seconds=1),
        clock=store.clock,
    )


def about(messages: list[dict[str, str]], words: str) -> list[dict[str, str]]:
    return [m for m in messages if words in m["subject"]]


async def open_item(store: Store) -> str:
    async with store.reading() as uow:
        (item,) = await uow.session.scalars(select(ReviewItemRow))
        return item.id


async def test_a_conditional_reply_is_acknowledged_confirmed_with_its_condition_and_receipted(
    store: Store,
    mailbox: ConsentMailbox,
    people: People,
    service: ServiceProfile,
    clock: FakeClock,
) -> None:
    _, reference, parent = await asked(store, mailbox, service, clock)
    (request,) = await people.inbox(PARENT_CARER.address)
    assert request["subject"].endswith(f"[{reference}]")
    await people.reply(PARENT_CARER.address, reference, CONDITIONAL)
    reader = MailboxReader(store, mailbox, service)
    assert await reader.catch_up() == {"review": 1}
    item_id = await open_item(store)

    # The reader has committed the item and nothing more (as if it died now): the
    # acknowledgement is a job, and another instance sends it, once.
    assert about(await people.inbox(PARENT_CARER.address), "a member of staff will read it") == []
    jobs = runner(store, reader)
    assert await jobs.run_once() == 1
    (acknowledgement,) = about(
        await people.inbox(PARENT_CARER.address), "a member of staff will read it"
    )
    assert reference in acknowledgement["subject"]
    assert "a member of staff will read it and contact you" in acknowledgement["text"]
    assert "Nothing has been recorded from your email yet" in acknowledgement["text"]
    assert await jobs.run_once() == 0

    # Conditional: not as given without the condition, and a condition only with agreement.
    for decisions, condition in (
        ({Topic.RECORDING: Decision.GIVEN}, None),
        ({Topic.RECORDING: Decision.REFUSED}, CONDITION),
    ):
        async with store.unit_of_work() as uow:
            with pytest.raises(ReviewRefused):
                await confirm(uow, item_id, STAFF, parent, decisions, condition)
    async with store.reading() as uow:
        assert list(await uow.session.scalars(select(ConsentDecisionRow))) == []

    async with store.unit_of_work() as uow:
        await confirm(
            uow,
            item_id,
            STAFF,
            parent,
            {Topic.RECORDING: Decision.GIVEN, Topic.CONTRIBUTION: Decision.REFUSED},
            CONDITION,
        )
        await uow.commit()
    async with store.reading() as uow:
        rows = {
            r.topic: (r.decision, r.condition_enc, r.review_item_id)
            for r in await uow.session.scalars(select(ConsentDecisionRow))
        }
        recording = next(
            r
            for r in await uow.session.scalars(select(ConsentDecisionRow))
            if r.topic == "recording"
        )
        condition = uow.decrypt(
            recording.condition_enc, "consent_decisions", "condition", recording.id
        )
    assert condition == CONDITION
    assert rows["recording"][1] is not None
    assert CONDITION.encode() not in rows["recording"][1]
    assert rows["contribution"][1] is None, "a condition goes only with the agreement"
    assert {r[2] for r in rows.values()} == {item_id}

    # The page died after the commit: no receipt yet; after the grace another instance sends
    # it, with the condition, once.
    assert about(await people.inbox(PARENT_CARER.address), "recorded your answer") == []
    assert await jobs.run_once() == 0
    clock.now += RECEIPT_GRACE
    assert await jobs.run_once() == 1
    (receipt,) = about(await people.inbox(PARENT_CARER.address), "recorded your answer")
    assert "you agreed to recording the meeting, on the condition you gave" in receipt["text"]
    assert CONDITION in receipt["text"]
    assert "you did not agree to IASS staff contributing" in receipt["text"]
    assert await jobs.run_once() == 0
    assert await ReviewFollowUps(store, mailbox, service).send_receipt_now(item_id)
    assert len(about(await people.inbox(PARENT_CARER.address), "recorded your answer")) == 1

    # Subject access: the words of the request as sent, and the condition.
    async with store.reading() as uow:
        report = await subject_access_report(uow, PARENT_CARER.address)
    (sent,) = report.requests_sent
    assert sent.text is not None
    sent_paragraphs = [" ".join(p.split()) for p in sent.text.split("\n\n")]
    received = [" ".join(p.split()) for p in request["text"].split("\n\n")]
    prose = [p for p in received if p.startswith(("Dear", "Priya Raman from", "Before the"))]
    assert len(prose) == 3
    assert all(p in sent_paragraphs for p in prose), "the words as the person received them"
    assert reference in sent.text
    assert [d.condition for d in report.decisions if d.topic == "recording"] == [CONDITION]
    html = report.to_html()
    assert "This is what it said" in html
    assert "which a member of staff wrote down as" in html


async def test_a_receipt_graph_refused_at_once_is_sent_by_the_job(
    store: Store,
    mailbox: ConsentMailbox,
    people: People,
    service: ServiceProfile,
    clock: FakeClock,
    tenant_sandbox: RunningSandbox,
) -> None:
    _, reference, parent = await asked(store, mailbox, service, clock)
    await people.reply(PARENT_CARER.address, reference, CONDITIONAL)
    reader = MailboxReader(store, mailbox, service)
    await reader.catch_up()
    item_id = await open_item(store)
    async with store.unit_of_work() as uow:
        await confirm(uow, item_id, STAFF, parent, {Topic.RECORDING: Decision.REFUSED})
        await uow.commit()

    tenant_sandbox.tenant.faults.fail(1, status=500, method="POST", path_contains="sendMail")
    follow_ups = ReviewFollowUps(store, mailbox, service)
    assert not await follow_ups.send_receipt_now(item_id)
    assert about(await people.inbox(PARENT_CARER.address), "recorded your answer") == []

    jobs = runner(store, reader)
    await jobs.run_once()  # the acknowledgement
    clock.now += RECEIPT_GRACE
    assert await jobs.run_once() == 1
    (receipt,) = about(await people.inbox(PARENT_CARER.address), "recorded your answer")
    assert "you did not agree to recording the meeting" in receipt["text"]
    assert "condition" not in receipt["text"]


async def test_an_unverified_stranger_is_not_written_to(
    store: Store,
    mailbox: ConsentMailbox,
    people: People,
    service: ServiceProfile,
    clock: FakeClock,
) -> None:
    """A reply from an address nobody was invited at, that failed the sender check, may be
    forged: the acknowledgement is not sent to it (the job still finishes)."""
    _, reference, _ = await asked(store, mailbox, service, clock)
    await people.write(SENCO.address, f"Re: meeting [{reference}]", CONDITIONAL)
    reader = MailboxReader(store, mailbox, service)
    await reader.catch_up()
    async with store.unit_of_work() as uow:
        (item,) = await uow.session.scalars(select(ReviewItemRow))
        item.attendee_id = None
        item.auth_verdict = "fail"
        await uow.commit()
    jobs = runner(store, reader)
    assert await jobs.run_once() == 1
    assert about(await people.inbox(SENCO.address), "a member of staff will read it") == []
    assert await jobs.run_once() == 0


async def test_an_acknowledgement_graph_refused_is_sent_once_on_the_retry(
    store: Store,
    mailbox: ConsentMailbox,
    people: People,
    service: ServiceProfile,
    clock: FakeClock,
    tenant_sandbox: RunningSandbox,
) -> None:
    _, reference, _ = await asked(store, mailbox, service, clock)
    await people.reply(PARENT_CARER.address, reference, CONDITIONAL)
    reader = MailboxReader(store, mailbox, service)
    await reader.catch_up()
    jobs = runner(store, reader)

    tenant_sandbox.tenant.faults.fail(1, status=500, method="POST", path_contains="sendMail")
    assert await jobs.run_once() == 1
    assert about(await people.inbox(PARENT_CARER.address), "a member of staff will read it") == []
    async with store.reading() as uow:
        (item,) = await uow.session.scalars(select(ReviewItemRow))
        assert item.acknowledged_at is None

    clock.now += timedelta(minutes=1)
    assert await jobs.run_once() == 1
    assert (
        len(about(await people.inbox(PARENT_CARER.address), "a member of staff will read it")) == 1
    )
    assert await jobs.run_once() == 0
