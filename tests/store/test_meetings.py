"""The meeting repository on both engines: what goes in comes out, and nothing is in clear."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import MetaData, select, text

from consent_store.records import NewDecision
from consent_store.repository import MeetingNotFound
from consent_store.tables import AttendeeRow
from consent_store.unit_of_work import Store
from domain.terms import AttendeeKind, AuthVerdict, Decision, DeclaredRole, Topic
from tests.builders import MEETING_START, PARENT, SENCO, STAFF, a_meeting

PERSONAL_STRINGS = [
    "Rhiannon",
    "Okafor",
    "rhiannon.okafor@example.org",
    "example.org",
    "Wielgosz",
    "Fellside",
    "Castellano",
    "Annual review",
    "section-f",
    "Section F",
    "I am happy for it to be recorded",
]


async def test_a_meeting_gets_a_reference_and_its_facts_read_back(store: Store) -> None:
    async with store.unit_of_work() as uow:
        meeting = await uow.meetings.add(a_meeting(), uow.now())
        await uow.commit()
    assert re.fullmatch(r"IASS-[0-9A-HJKMNP-TV-Z]{8}", meeting.reference)

    async with store.unit_of_work() as uow:
        facts = await uow.meetings.facts((await uow.meetings.by_reference(meeting.reference)).id)
    assert facts.starts_at == MEETING_START
    assert [a.kind for a in facts.attendees] == [
        AttendeeKind.PARENT_CARER,
        AttendeeKind.PROFESSIONAL,
        AttendeeKind.STAFF,
    ]
    assert facts.declared_role is DeclaredRole.SUPPORT_AND_CONTRIBUTE
    assert len(facts.documents) == 1
    assert facts.decisions == ()


async def test_decisions_come_back_as_the_gate_sees_them(store: Store) -> None:
    async with store.unit_of_work() as uow:
        meeting = await uow.meetings.add(a_meeting(), uow.now())
        parent = (await uow.meetings.attendees(meeting.id))[0]
        await uow.meetings.add_decision(
            NewDecision(
                meeting_id=meeting.id,
                attendee_id=parent.id,
                topic=Topic.RECORDING,
                decision=Decision.GIVEN,
                received_at=MEETING_START - timedelta(days=1),
                auth=AuthVerdict.PASS,
                sender_matches=True,
                decided_by="email",
                sender=PARENT.email,
                phrase="I am happy for it to be recorded",
            ),
            uow.now(),
        )
        await uow.commit()
    async with store.unit_of_work() as uow:
        (record,) = (await uow.meetings.facts(meeting.id)).decisions
    assert (record.attendee_id, record.topic, record.decision) == (
        parent.id,
        Topic.RECORDING,
        Decision.GIVEN,
    )
    assert record.received_at == MEETING_START - timedelta(days=1)
    assert record.trustworthy


async def test_names_and_addresses_decrypt_for_their_own_rows(store: Store) -> None:
    async with store.unit_of_work() as uow:
        meeting = await uow.meetings.add(a_meeting(), uow.now())
        await uow.commit()
    async with store.unit_of_work() as uow:
        rows = await uow.meetings.attendees(meeting.id)
        names = [uow.decrypt(r.name_enc, "attendees", "name", r.id) for r in rows]
        found = await uow.session.scalars(
            select(AttendeeRow.id).where(
                AttendeeRow.email_index
                == store.blind_index.of_email("T.Wielgosz@School.example.net")
            )
        )
    assert names == [PARENT.name, SENCO.name, STAFF.name]
    assert list(found) == [rows[1].id]


async def test_unknown_meetings_are_reported(store: Store) -> None:
    async with store.unit_of_work() as uow:
        with pytest.raises(MeetingNotFound):
            await uow.meetings.by_reference("IASS-00000000")


async def test_a_meeting_must_end_after_it_starts(store: Store) -> None:
    meeting = a_meeting()
    backwards = type(meeting)(**{**meeting.__dict__, "ends_at": meeting.starts_at})
    async with store.unit_of_work() as uow:
        with pytest.raises(ValueError, match="end after it starts"):
            await uow.meetings.add(backwards, uow.now())


async def test_no_personal_data_is_stored_in_clear(store: Store) -> None:
    async with store.unit_of_work() as uow:
        meeting = await uow.meetings.add(a_meeting(), uow.now())
        parent = (await uow.meetings.attendees(meeting.id))[0]
        await uow.meetings.add_decision(
            NewDecision(
                meeting_id=meeting.id,
                attendee_id=parent.id,
                topic=Topic.RECORDING,
                decision=Decision.GIVEN,
                received_at=MEETING_START - timedelta(days=1),
                auth=AuthVerdict.PASS,
                sender_matches=True,
                decided_by="email",
                sender=PARENT.email,
                phrase="I am happy for it to be recorded",
            ),
            uow.now(),
        )
        await uow.commit()

    dump = await raw_dump(store)
    for needle in PERSONAL_STRINGS:
        assert needle.lower().encode() not in dump.lower(), needle


def read_sqlite_files(database: Path) -> bytes:
    wal = database.with_name(database.name + "-wal")
    return database.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


async def raw_dump(store: Store) -> bytes:
    """Every byte the database holds for our tables: the SQLite file, or every PostgreSQL row."""
    if store.engine.dialect.name == "sqlite":
        await store.engine.dispose()
        database = store.engine.url.database
        assert database
        return await asyncio.to_thread(read_sqlite_files, Path(database))
    chunks: list[bytes] = []
    async with store.engine.connect() as connection:
        metadata = MetaData()
        await connection.run_sync(metadata.reflect)
        for table in metadata.sorted_tables:
            rows = await connection.execute(text(f'SELECT * FROM "{table.name}"'))
            for row in rows:
                for value in row:
                    chunks.append(value if isinstance(value, bytes) else str(value).encode())
    return b"\n".join(chunks)
