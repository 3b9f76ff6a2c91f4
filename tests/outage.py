"""A real store outage on either engine, begun and ended by the test: PostgreSQL stops
accepting connections to the database (`ALLOW_CONNECTIONS false`) and its open sessions are
terminated; SQLite's database file is set aside and a link into a missing directory put in its
place, so opening it fails. Either way the store's pooled connections are closed first, so the
next use of the store meets the refusal, as it would when the database server goes away.

SQLite's file is swapped in one rename each way, so its name always leads to the database or to
the dead link: SQLite creates a database file that is missing, and a connection opened in a gap
between two steps (the file moved away, the blocker not yet in place or already gone) would
make an empty database there, be pooled, and keep failing with "no such table" once the real
file was moved back over it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from consent_store.unit_of_work import Store
from tests import databases


def _away(path: Path) -> Path:
    return path.with_name(path.name + ".away")


def _set_aside(path: Path) -> None:
    _away(path).hardlink_to(path)
    blocker = path.with_name(path.name + ".blocker")
    blocker.symlink_to(path.with_name(path.name + ".missing") / path.name)
    blocker.replace(path)


def _put_back(path: Path) -> None:
    _away(path).replace(path)


@dataclass
class Outage:
    store: Store
    database_url: str

    async def begin(self) -> None:
        url = make_url(self.database_url)
        if url.get_backend_name() == "sqlite":
            await self.store.engine.dispose()
            _set_aside(Path(str(url.database)))
            return
        await self._admin(
            f'ALTER DATABASE "{url.database}" ALLOW_CONNECTIONS false',
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            f" WHERE datname = '{url.database}' AND pid <> pg_backend_pid()",
        )
        await self.store.engine.dispose()

    async def end(self) -> None:
        url = make_url(self.database_url)
        if url.get_backend_name() == "sqlite":
            _put_back(Path(str(url.database)))
            return
        await self._admin(f'ALTER DATABASE "{url.database}" ALLOW_CONNECTIONS true')

    @staticmethod
    async def _admin(*statements: str) -> None:
        connection = await asyncpg.connect(databases.ADMIN_URL)
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()


async def eventually(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    """Wait until `condition()` is true, checking every 50 ms; fail after `seconds`."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the condition did not come true in time")
