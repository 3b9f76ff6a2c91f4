"""Test databases: a migrated template per engine, cloned for each test and dropped after.

PostgreSQL databases are created on the server named by IASS_TEST_POSTGRES_URL (default: the
local server's `test` database, used only to issue CREATE/DROP DATABASE). Tests' clones are
made while the tests before them run, and dropped while the tests after them run (`Clones`).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections import deque
from collections.abc import Callable, Coroutine
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import asyncpg

T = TypeVar("T")

ADMIN_URL = os.environ.get("IASS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _server_url(database: str) -> str:
    base = ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{database}"


def sqlalchemy_url(database: str) -> str:
    return _server_url(database).replace("postgresql://", "postgresql+asyncpg://", 1)


async def create_postgres_database(template: str | None = None) -> str:
    name = f"iass_test_{uuid.uuid4().hex[:12]}"
    connection = await asyncpg.connect(ADMIN_URL)
    try:
        suffix = f' TEMPLATE "{template}"' if template else ""
        await connection.execute(f'CREATE DATABASE "{name}"{suffix}')
    finally:
        await connection.close()
    return name


async def drop_postgres_database(name: str) -> None:
    connection = await asyncpg.connect(ADMIN_URL)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


def clone_sqlite(template: Path, directory: Path) -> str:
    target = directory / f"{uuid.uuid4().hex[:12]}.db"
    shutil.copyfile(template, target)
    return f"sqlite+aiosqlite:///{target}"


def on_own_thread(function: Callable[..., T], *args: Any) -> T:
    """Call a blocking function that runs its own event loop, even from inside a running one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args).result()


def run_outside_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    return on_own_thread(asyncio.run, coroutine)


class Clones:
    """Fresh clones of a PostgreSQL template, made `AHEAD` at a time on threads of their own
    while tests run, and dropped behind them, so a test waits neither for CREATE DATABASE
    (90-300 ms, most of it waiting for the WAL to be flushed, which clones made together
    share) nor for DROP DATABASE; each is still new to the test that takes it."""

    AHEAD = 3

    def __init__(self, template: str) -> None:
        self._template = template
        self._threads = ThreadPoolExecutor(max_workers=self.AHEAD, thread_name_prefix="clones")
        self._ahead = deque(self._threads.submit(self._create) for _ in range(self.AHEAD))
        self._dropped: list[Future[None]] = []

    def _create(self) -> str:
        return asyncio.run(create_postgres_database(template=self._template))

    async def take(self) -> str:
        """A new clone of the template; another is begun in its place."""
        made = self._ahead.popleft()
        self._ahead.append(self._threads.submit(self._create))
        return await asyncio.wrap_future(made)

    def drop(self, name: str) -> None:
        """Drop the clone `name` on the clones' threads (once its test is done with it)."""
        self._dropped.append(self._threads.submit(asyncio.run, drop_postgres_database(name)))

    def close(self) -> None:
        """Drop the clones made ahead, and wait until every clone has been dropped (raising
        what a drop raised)."""
        for made in self._ahead:
            if made.exception() is None:
                self.drop(made.result())
        self._threads.shutdown(wait=True)
        for dropped in self._dropped:
            dropped.result()
