"""The store's reads and its pooled connections: the gates' facts are read on the session's
connection yet still see what the same unit of work has just added, and a PostgreSQL
connection that died while it sat idle in the pool is replaced before it is used."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from consent_store import engine
from consent_store.records import NewDecision
from consent_store.unit_of_work import Store
from domain.terms import AuthVerdict, Decision, Topic
from tests import databases
from tests.builders import MEETING_START, schedule


async def test_facts_read_in_the_unit_of_work_that_added_a_decision_include_it(
    store: Store,
) -> None:
    meeting_id, attendee_ids = await schedule(store)
    async with store.unit_of_work() as uow:
        await uow.meetings.add_decision(
            NewDecision(
                meeting_id=meeting_id,
                attendee_id=attendee_ids[0],
                topic=Topic.RECORDING,
                decision=Decision.REFUSED,
                received_at=MEETING_START,
                auth=AuthVerdict.PASS,
                sender_matches=True,
                decided_by="email",
                sender="parent@example.org",
                phrase="No recording, please.",
                message_id="<refusal@example.org>",
                email_sha256="0" * 64,
            ),
            uow.now(),
        )
        facts = await uow.meetings.facts(meeting_id)
    assert [(d.attendee_id, d.decision) for d in facts.decisions] == [
        (attendee_ids[0], Decision.REFUSED)
    ]


async def _end_every_session(database_url: str) -> None:
    database = make_url(database_url).database
    admin = await asyncpg.connect(databases.ADMIN_URL)
    try:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = $1 AND pid <> pg_backend_pid()",
            database,
        )
    finally:
        await admin.close()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_connection_the_server_closed_while_it_was_idle_is_replaced_before_use(
    store: Store, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    meeting_id, _ = await schedule(store)
    monkeypatch.setattr(engine, "IDLE_BEFORE_PING_S", 0.2)
    await _end_every_session(database_url)
    await asyncio.sleep(0.3)
    async with store.reading() as uow:
        facts = await uow.meetings.facts(meeting_id)
    assert len(facts.attendees) == 3
