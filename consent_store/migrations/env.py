"""Alembic environment: runs migrations over the async engine named in the config attributes.

On SQLite, batch migrations copy a table and drop the old one, which its foreign keys forbid
once other tables refer to its rows; so foreign keys are off while migrating (SQLite's own
advice for altering tables) and checked once the migrations have run."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from consent_store.engine import create_engine
from consent_store.tables import Base


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def _foreign_keys(connection: Connection, setting: str) -> None:
    """Set SQLite's foreign keys on the driver's connection directly: the pragma does nothing
    inside a transaction, and any statement through SQLAlchemy would begin one first."""
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    cursor.execute(f"PRAGMA foreign_keys={setting}")
    cursor.close()


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                await connection.run_sync(_foreign_keys, "OFF")
            await connection.run_sync(_run)
            await connection.commit()
            if sqlite:
                broken = (await connection.exec_driver_sql("PRAGMA foreign_key_check")).all()
                await connection.commit()
                if broken:
                    raise RuntimeError(f"the migration broke {len(broken)} foreign keys")
                await connection.run_sync(_foreign_keys, "ON")
    finally:
        await engine.dispose()


asyncio.run(_migrate(context.config.attributes["url"]))
