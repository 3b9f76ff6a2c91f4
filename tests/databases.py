"""Test databases: a migrated template per engine, cloned for each test and dropped after.

PostgreSQL databases are created on the server named by IASS_TEST_POSTGRES_URL (default: the
local server's `test` database, used only to issue CREATE/DROP DATABASE).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
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
