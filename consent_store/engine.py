"""Database engines for the store: SQLite (aiosqlite) embedded, PostgreSQL (asyncpg) production.

SQLite connections enforce foreign keys, overwrite deleted content (secure_delete), use WAL and
begin every writing transaction IMMEDIATE, so concurrent writers queue on the write lock
instead of failing half-way through a transaction; read-only transactions begin DEFERRED. Up
to `SQLITE_POOL_SIZE` connections are kept open, the most recently used taken first.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

_SQLITE_BUSY_TIMEOUT_MS = 30_000
IDLE_BEFORE_PING_S = 1.0
"""A pooled PostgreSQL connection unused for this long is pinged before it is used again."""
_IDLE_SINCE = "iass_idle_since"
SQLITE_POOL_SIZE = 20
"""Connections kept open to a SQLite database. Under a flood of activities a dozen or more
units of work read at once (SQLite readers run alongside its one writer); with SQLAlchemy's
default of five, each one past the fifth opened a connection (and aiosqlite's thread for it)
and closed it again on return: about two a second in `bench/activities.py`, each on the path
of a read the recording guard waits for."""
READ_ONLY = "iass_read_only"
"""Execution option marking a read-only transaction: on SQLite it begins DEFERRED, so under
WAL it reads alongside the one writer instead of queueing for the write lock."""


def _prepare_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        options = connection.get_execution_options()
        if options.get("isolation_level") == "AUTOCOMMIT":
            return
        connection.exec_driver_sql("BEGIN" if options.get(READ_ONLY) else "BEGIN IMMEDIATE")


def _ping_when_idle(engine: AsyncEngine) -> None:
    """Check a pooled connection with the dialect's ping before use if it has sat unused for
    `IDLE_BEFORE_PING_S`; a dead one is replaced, as SQLAlchemy's `pool_pre_ping` does.

    `pool_pre_ping` pings on every checkout, and asyncpg's ping is three round trips (a
    transaction around an empty statement), more than the recording gate's own reads
    (`bench/gate.py`). A connection in steady use is not pinged: if the server went away since
    its last use, the statement fails, SQLAlchemy invalidates the whole pool, the caller fails
    closed and the next unit of work connects afresh. Taking the most recently used connection
    first (`pool_use_lifo`) keeps the busy ones busy and lets the idle ones be pinged."""

    @event.listens_for(engine.sync_engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get(_IDLE_SINCE)
        if idle_since is None or time.monotonic() - idle_since < IDLE_BEFORE_PING_S:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if engine.dialect.is_disconnect(error, dbapi_connection, None):
                raise DisconnectionError("the pooled connection is closed") from error
            raise


def sqlite_file(database_url: str) -> str | None:
    """The file a SQLite database URL names; None for another database or an in-memory one."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return str(url.database)


POSTGRESQL_WRITES_AT_ONCE = 4
"""How many of one group commit's writes may be under way at a time on PostgreSQL
(`bot.group_commit`): a few of the pool's ten connections, leaving the rest for the work the
writes are for."""


def writes_at_once(engine: AsyncEngine) -> int:
    """How many transactions gain by writing side by side: one on SQLite, which lets one
    transaction write at a time (`consent_store.writer`), a few on PostgreSQL."""
    return 1 if engine.dialect.name == "sqlite" else POSTGRESQL_WRITES_AT_ONCE


def create_engine(url: str) -> AsyncEngine:
    """An async engine for a `sqlite+aiosqlite://` or `postgresql+asyncpg://` URL."""
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        engine = create_async_engine(
            url, pool_size=SQLITE_POOL_SIZE, max_overflow=SQLITE_POOL_SIZE, pool_use_lifo=True
        )
        _prepare_sqlite(engine)
        return engine
    if backend == "postgresql":
        engine = create_async_engine(url, pool_size=10, max_overflow=10, pool_use_lifo=True)
        _ping_when_idle(engine)
        return engine
    raise ValueError(f"unsupported database engine {backend!r}")


async def scrub_freed_space(engine: AsyncEngine, tables: tuple[str, ...]) -> None:
    """Make overwritten values unrecoverable from the database files after disposal.

    SQLite: checkpoint and truncate the write-ahead log (secure_delete already zeroes freed
    pages). PostgreSQL: VACUUM the tables so dead row versions are reclaimed.
    """
    async with engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        if engine.dialect.name == "sqlite":
            await autocommit.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            return
        for table in tables:
            await autocommit.exec_driver_sql(f'VACUUM "{table}"')
