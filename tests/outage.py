"""A real store outage on either engine, begun and ended by the test: PostgreSQL stops
accepting connections to the database (`ALLOW_CONNECTIONS false`) and its open sessions are
terminated; SQLite's database file is moved aside and a directory put in its place, so opening
it fails. Either way the store's pooled connections are closed first, so the next use of the
store meets the refusal, as it would when the database server goes away."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from consent_store.unit_of_work import Store
from tests import databases


def _set_aside(path: Path) -> None:
    path.rename(path.with_name(path.name + ".away"))
    path.mkdir()


def _put_back(path: Path) -> None:
    path.rmdir()
    path.with_name(path.name + ".away").rename(path)


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
