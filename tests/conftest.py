"""Fixtures shared by every test: keys, a settable clock, and store databases on both engines."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from consent_store.keys import KeyRing, new_key, parse_key_ring
from consent_store.migrate import upgrade_to_head
from consent_store.unit_of_work import Store
from tests import databases

ENGINES = ["sqlite", "postgresql"]


@dataclass
class FakeClock:
    """A clock the test moves by hand."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))


@pytest.fixture(scope="session")
def key_ring() -> KeyRing:
    return parse_key_ring(
        encryption_keys=f"k1:{new_key()}",
        active_key_id="k1",
        blind_index_key=new_key(),
        audit_key=new_key(),
    )


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    upgrade_to_head(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """Created on first use only, so SQLite-only runs need no PostgreSQL server."""
    name = databases.run_outside_loop(databases.create_postgres_database())
    databases.on_own_thread(upgrade_to_head, databases.sqlalchemy_url(name))
    yield name
    databases.run_outside_loop(databases.drop_postgres_database(name))


@pytest.fixture(scope="session")
def postgres_clones(postgres_template: str) -> Iterator[databases.Clones]:
    clones = databases.Clones(postgres_template)
    yield clones
    clones.close()


@pytest.fixture(params=ENGINES)
async def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> AsyncIterator[str]:
    """A freshly migrated, empty database on each engine in turn."""
    if request.param == "sqlite":
        yield databases.clone_sqlite(sqlite_template, tmp_path)
        return
    clones: databases.Clones = request.getfixturevalue("postgres_clones")
    name = await clones.take()
    yield databases.sqlalchemy_url(name)
    clones.drop(name)


@pytest.fixture
async def store(database_url: str, key_ring: KeyRing, clock: FakeClock) -> AsyncIterator[Store]:
    opened = Store.open(database_url, key_ring, clock)
    yield opened
    await opened.close()


@pytest.fixture
def env_without_iass(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Run in an empty working directory with no IASS_ settings inherited, as an installation
    of its own (so the clone's `.env`, if `make run` wrote one, is not read)."""
    for name in list(os.environ):
        if name.startswith("IASS_") and name != "IASS_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("bot.settings_file.INSTALLATION", tmp_path)
    return tmp_path
