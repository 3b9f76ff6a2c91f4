"""Migration 0010 on both engines: meetings stored before calendar events keep no event id,
and those with a Teams meeting (created with recording off and the lobby in the same request)
count as having had their settings confirmed when they were created, so the bot does not
lock them down again or hold their gate closed for it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.ext.asyncio import create_async_engine

from consent_store.migrate import alembic_config
from consent_store.tables import UtcDateTime
from tests import databases
from tests.conftest import ENGINES

CREATED = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)

MEETINGS_AT_0009 = sa.table(
    "meetings",
    sa.column("id", sa.String),
    sa.column("reference", sa.String),
    sa.column("starts_at", UtcDateTime()),
    sa.column("ends_at", UtcDateTime()),
    sa.column("organiser_user_id", sa.String),
    sa.column("declared_role", sa.String),
    sa.column("recording_requested", sa.Boolean),
    sa.column("status", sa.String),
    sa.column("teams_meeting_id", sa.String),
    sa.column("safeguarding_hold", sa.Boolean),
    sa.column("created_at", UtcDateTime()),
)
MEETINGS_AT_0010 = sa.table(
    "meetings",
    sa.column("id", sa.String),
    sa.column("teams_event_id", sa.String),
    sa.column("teams_settings_confirmed_at", UtcDateTime()),
)


@pytest.fixture(params=ENGINES)
async def url_at_0009(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database migrated to the revision before 0010."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'before.db'}"
        databases.on_own_thread(command.upgrade, alembic_config(url), "0009")
        yield url
        return
    name = await databases.create_postgres_database()
    url = databases.sqlalchemy_url(name)
    databases.on_own_thread(command.upgrade, alembic_config(url), "0009")
    yield url
    await databases.drop_postgres_database(name)


def meeting(meeting_id: str, teams_meeting_id: str | None) -> dict[str, object]:
    start = CREATED + timedelta(days=7)
    return {
        "id": meeting_id,
        "reference": f"IASS-{meeting_id[:8]}",
        "starts_at": start,
        "ends_at": start + timedelta(hours=1),
        "organiser_user_id": "11111111-aaaa-4bbb-8ccc-000000000001",
        "declared_role": "support",
        "recording_requested": True,
        "status": "scheduled",
        "teams_meeting_id": teams_meeting_id,
        "safeguarding_hold": False,
        "created_at": CREATED,
    }


async def test_meetings_stored_before_events_keep_working_without_one(url_at_0009: str) -> None:
    engine = create_async_engine(url_at_0009)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                sa.insert(MEETINGS_AT_0009),
                [meeting("m" * 32, "MSpkYzE3"), meeting("n" * 32, None)],
            )
        databases.on_own_thread(command.upgrade, alembic_config(url_at_0009), "0010")
        async with engine.connect() as connection:
            rows = {
                row.id: (row.teams_event_id, row.teams_settings_confirmed_at)
                for row in await connection.execute(sa.select(MEETINGS_AT_0010))
            }
    finally:
        await engine.dispose()
    assert rows == {"m" * 32: (None, CREATED), "n" * 32: (None, None)}
