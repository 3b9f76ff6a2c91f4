"""Migration 0008 on both engines: emails recorded under their old keys (the Message-ID alone, or
`sha256:` and the hash of their bytes) are re-keyed from what the store kept of them, so read
again after the upgrade they are still recorded once; downgrading gives back the old keys.

The emails are taken in by the product at the newest revision and the store then downgraded to
0007 with them, so the test follows the schema as later migrations add to it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select, update

from bot.services.consent_intake import take_in
from bot.services.intake_results import InboundEmail, IntakeOutcome
from consent_store.keys import KeyRing
from consent_store.migrate import alembic_config
from consent_store.tables import InboundEmailRow
from consent_store.unit_of_work import Store
from tests import databases
from tests.builders import MEETING_START
from tests.conftest import ENGINES, FakeClock
from tests.tenant_flows.test_take_in import asked, reply


@pytest.fixture(params=ENGINES)
async def url_at_head(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database migrated to the newest revision."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'before.db'}"
        databases.on_own_thread(command.upgrade, alembic_config(url), "head")
        yield url
        return
    name = await databases.create_postgres_database()
    url = databases.sqlalchemy_url(name)
    databases.on_own_thread(command.upgrade, alembic_config(url), "head")
    yield url
    await databases.drop_postgres_database(name)


async def keys(store: Store) -> dict[str, str]:
    async with store.reading() as uow:
        rows = await uow.session.execute(
            select(InboundEmailRow.outcome, InboundEmailRow.dedupe_key)
        )
        return {outcome: key for outcome, key in rows}


async def test_emails_recorded_before_the_upgrade_are_still_recorded_once(
    url_at_head: str, key_ring: KeyRing, clock: FakeClock
) -> None:
    store = Store.open(url_at_head, key_ring, clock)
    try:
        _, _, reference = await asked(store)
        day_before = MEETING_START - timedelta(days=1)
        emails = {
            IntakeOutcome.RECORDED: InboundEmail(
                reply(reference, "Yes."), day_before, "AAMkAD-decided"
            ),
            IntakeOutcome.REVIEW: InboundEmail(
                reply(reference, "Yes.", sender="someone@else.example", message_id="<r2@else>"),
                day_before,
                "AAMkAD-reviewed",
            ),
            IntakeOutcome.UNREADABLE: InboundEmail(b"\x00\xff" * 10, day_before),
        }
        for outcome, email in emails.items():
            assert (await take_in(store, email)).outcome is outcome
        databases.on_own_thread(command.downgrade, alembic_config(url_at_head), "0007")
        async with store.unit_of_work() as uow:
            rows = await uow.session.scalars(select(InboundEmailRow))
            old = {
                row.outcome: "<r1@example.org>"
                if row.outcome == "recorded"
                else "<r2@else>"
                if row.outcome == "review"
                else f"sha256:{row.email_sha256}"
                for row in rows
            }
            for outcome, key in old.items():
                await uow.session.execute(
                    update(InboundEmailRow)
                    .where(InboundEmailRow.outcome == outcome)
                    .values(dedupe_key=key)
                )
            await uow.commit()

        databases.on_own_thread(command.upgrade, alembic_config(url_at_head), "head")
        for email in emails.values():
            assert (await take_in(store, email)).outcome is IntakeOutcome.DUPLICATE

        databases.on_own_thread(command.downgrade, alembic_config(url_at_head), "0007")
        restored = await keys(store)
        assert restored["recorded"] == old["recorded"]
        assert restored["unreadable"] == old["unreadable"]
        assert restored["review"].startswith("sha256:")
    finally:
        await store.close()
