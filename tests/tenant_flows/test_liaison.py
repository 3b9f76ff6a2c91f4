"""Permission to liaise end to end against the sandbox tenant: staff name the professionals,
the parent carer is asked by email with the other topics, agrees, and later withdraws; the
permission per organisation and the count the meeting chat may hear follow each step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import ServiceProfile
from bot.graph.mailbox import ConsentMailbox
from bot.mailbox.reader import MailboxReader
from bot.policy.liaison_gate import LiaisonCount
from bot.services.consent_requests import send_consent_requests
from bot.services.liaison import liaison_count, liaison_standing, name_for_liaison
from consent_store.records import NewAttendee
from consent_store.unit_of_work import Store
from domain.terms import AttendeeKind
from sandbox.seed import COORDINATOR, PARENT_CARER, SENCO
from tests.builders import a_meeting, schedule
from tests.conftest import FakeClock
from tests.tenant_flows.conftest import People

PARENT = NewAttendee(PARENT_CARER.display_name, PARENT_CARER.address, AttendeeKind.PARENT_CARER)
SCHOOL = NewAttendee(SENCO.display_name, SENCO.address, AttendeeKind.PROFESSIONAL, "Fellside")
ADVISER = NewAttendee(COORDINATOR.display_name, COORDINATOR.mail, AttendeeKind.STAFF)
NAMED = ("Northshire SEND team, SEND officer", "Fellside Primary, SENCO")


@pytest.fixture
def service(env_without_iass: Path) -> ServiceProfile:
    return ServiceProfile()


def _no_one(_: str) -> str | None:
    return "the parent carer"


def _now(clock: FakeClock) -> None:
    """The store's clock moves to the real time, that of the sandbox's emails."""
    clock.now = datetime.now(UTC)


async def test_staff_ask_the_parent_agrees_and_later_withdraws(
    store: Store, mailbox: ConsentMailbox, people: People, service: ServiceProfile, clock: FakeClock
) -> None:
    _now(clock)
    meeting_id, _ = await schedule(
        store,
        a_meeting(
            starts_at=datetime.now(UTC) + timedelta(days=2),
            attendees=(PARENT, SCHOOL, ADVISER),
            documents=(),
        ),
    )
    await name_for_liaison(store, meeting_id, NAMED, actor="staff-object-id")
    async with store.unit_of_work() as uow:
        reference = (await uow.meetings.get(meeting_id)).reference
    await send_consent_requests(store, mailbox, service, meeting_id, "Priya Raman", actor="t")

    (request,) = await people.inbox(PARENT_CARER.address)
    assert NAMED[0] in request["text"]
    (school_request,) = await people.inbox(SENCO.address)
    assert NAMED[0] not in school_request["text"], "professionals are not asked about liaison"
    before = await liaison_standing(store, meeting_id, _no_one)
    assert [(s.name, s.permitted) for s in before] == [(NAMED[0], False), (NAMED[1], False)]
    assert before[0].reasons == (
        "The parent carer has not replied to the request for consent to staff liaising with"
        " the professionals named.",
    )
    assert await liaison_count(store, meeting_id) == LiaisonCount(permitted=0, named=2)

    await people.reply(
        PARENT_CARER.address, f"please reply [{reference}]", "Recording: yes\nLiaison: yes"
    )
    reader = MailboxReader(store, mailbox, service)
    assert await reader.catch_up() == {"recorded": 1}
    _now(clock)
    agreed = await liaison_standing(store, meeting_id, _no_one)
    assert [(s.name, s.permitted, s.reasons) for s in agreed] == [
        (NAMED[0], True, ()),
        (NAMED[1], True, ()),
    ]
    assert await liaison_count(store, meeting_id) == LiaisonCount(permitted=2, named=2)

    await people.reply(
        PARENT_CARER.address, f"please reply [{reference}]", "I withdraw my consent to liaison"
    )
    assert await reader.catch_up() == {"recorded": 1}
    _now(clock)
    withdrawn = await liaison_standing(store, meeting_id, _no_one)
    assert [(s.permitted, s.reasons) for s in withdrawn] == [
        (
            False,
            ("The parent carer withdrew consent to staff liaising with the professionals named.",),
        ),
    ] * 2
    assert await liaison_count(store, meeting_id) == LiaisonCount(permitted=0, named=2)
    receipts = [m for m in await people.inbox(PARENT_CARER.address) if "recorded" in m["subject"]]
    assert len(receipts) == 2
    assert "liaising with the professionals we named" in receipts[-1]["text"]


async def test_an_organisation_named_after_the_request_was_not_asked_about(
    store: Store, mailbox: ConsentMailbox, people: People, service: ServiceProfile, clock: FakeClock
) -> None:
    _now(clock)
    meeting_id, _ = await schedule(
        store,
        a_meeting(
            starts_at=datetime.now(UTC) + timedelta(days=2),
            attendees=(PARENT, ADVISER),
            documents=(),
        ),
    )
    await name_for_liaison(store, meeting_id, NAMED[:1], actor="staff-object-id")
    async with store.unit_of_work() as uow:
        reference = (await uow.meetings.get(meeting_id)).reference
    await send_consent_requests(store, mailbox, service, meeting_id, "Priya Raman", actor="t")
    await people.reply(PARENT_CARER.address, f"please reply [{reference}]", "Liaison: yes")
    await MailboxReader(store, mailbox, service).catch_up()
    _now(clock)
    await name_for_liaison(store, meeting_id, NAMED, actor="staff-object-id")
    standing = await liaison_standing(store, meeting_id, _no_one)
    assert [(s.name, s.permitted) for s in standing] == [(NAMED[0], True), (NAMED[1], False)]
