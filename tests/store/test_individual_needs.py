"""The service user's individual needs in the store (issue 18, part 5): sealed on the meeting
(unreadable in the database and bound to its row), read back as recorded, in the subject access
report of the service user (every need, the supporter by role) and of the supporter (only the
role they came in), and gone when the meeting is disposed of. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from consent_store.crypto import UnreadableField
from consent_store.needs import needs_of, record_needs, supporter_attending
from consent_store.records import IndividualNeeds, NewAttendee, Supporter
from consent_store.retention import dispose, plan_disposal
from consent_store.subject_access import subject_access_report
from consent_store.tables import MeetingRow
from consent_store.unit_of_work import Store
from domain.terms import AttendeeKind
from tests.builders import MEETING_START, PARENT, SENCO, a_meeting
from tests.conftest import FakeClock

INTERPRETER = NewAttendee(
    "Morgan Ashe", "morgan.ashe@interpreters.example.org", AttendeeKind.PROFESSIONAL
)
NEEDS = IndividualNeeds(
    joins_by_phone=True,
    easy_read=True,
    other_format="large print, 18 point",
    supporter=Supporter(INTERPRETER.email, "British Sign Language interpreter"),
)
RETENTION = timedelta(days=365)


async def _scheduled(store: Store) -> str:
    meeting = replace(a_meeting(attendees=(PARENT, SENCO, INTERPRETER)), needs=NEEDS)
    async with store.unit_of_work() as uow:
        row = await uow.meetings.add(meeting, uow.now())
        record_needs(uow, row, meeting.needs)
        await uow.commit()
        return row.id


async def test_needs_are_sealed_and_read_back(store: Store) -> None:
    meeting_id = await _scheduled(store)
    async with store.reading() as uow:
        row = await uow.meetings.get(meeting_id)
        assert row.needs_enc is not None
        for secret in (b"large print", b"British Sign", b"morgan.ashe", b"easy_read"):
            assert secret not in row.needs_enc
        assert needs_of(uow, row) == NEEDS
        supporter = supporter_attending(uow, NEEDS, await uow.meetings.attendees(meeting_id))
        assert supporter is not None
        assert supporter.role == "British Sign Language interpreter"
        with pytest.raises(UnreadableField):
            uow.decrypt(row.needs_enc, "meetings", "needs", "another-meeting")


async def test_no_needs_are_kept_as_nothing(store: Store) -> None:
    async with store.unit_of_work() as uow:
        row = await uow.meetings.add(a_meeting(), uow.now())
        record_needs(uow, row, IndividualNeeds())
        await uow.commit()
        assert row.needs_enc is None
        assert needs_of(uow, row) == IndividualNeeds()


async def test_subject_access_holds_the_needs(store: Store) -> None:
    await _scheduled(store)
    async with store.reading() as uow:
        parents = await subject_access_report(uow, PARENT.email)
        interpreters = await subject_access_report(uow, INTERPRETER.email.upper())
        professionals = await subject_access_report(uow, SENCO.email)
    (held,) = parents.needs
    assert (held.joins_by_phone, held.easy_read, held.other_format, held.supporter_role) == (
        True,
        True,
        "large print, 18 point",
        "British Sign Language interpreter",
    )
    assert json.loads(parents.to_json())["needs"][0]["other_format"] == "large print, 18 point"
    html = parents.to_html()
    assert "Your individual needs we recorded" in html
    assert "you would join by phone" in html
    assert "large print, 18 point" in html
    assert INTERPRETER.email not in parents.to_json()
    (role_only,) = interpreters.needs
    assert role_only.supporter_role == "British Sign Language interpreter"
    assert (role_only.joins_by_phone, role_only.easy_read, role_only.other_format) == (
        None,
        None,
        None,
    )
    assert "invited as the service user's British Sign Language interpreter" in (
        interpreters.to_html()
    )
    assert "large print" not in interpreters.to_json()
    assert professionals.needs == ()


async def test_disposal_removes_the_needs(store: Store, clock: FakeClock) -> None:
    meeting_id = await _scheduled(store)
    clock.now = MEETING_START + RETENTION * 2
    async with store.unit_of_work() as uow:
        await dispose(uow, await plan_disposal(uow, RETENTION), "test")
        await uow.commit()
    async with store.reading() as uow:
        (row,) = await uow.session.scalars(select(MeetingRow).where(MeetingRow.id == meeting_id))
        assert row.needs_enc is None
        assert needs_of(uow, row) == IndividualNeeds()
        assert (await subject_access_report(uow, PARENT.email)).needs == ()
