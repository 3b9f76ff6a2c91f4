"""Bring a database to the newest schema with Alembic (`iass-bot db upgrade`)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", "consent_store:migrations")
    config.attributes["url"] = url
    return config


def upgrade_to_head(url: str) -> None:
    """Apply every migration not yet applied. Blocking: call from a thread inside an event loop."""
    command.upgrade(alembic_config(url), "head")


async def schema_is_current(engine: AsyncEngine) -> bool:
    """Whether the database has been brought to the newest migration."""
    head = ScriptDirectory.from_config(alembic_config(str(engine.url))).get_current_head()
    async with engine.connect() as connection:
        current = await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )
    return current == head
