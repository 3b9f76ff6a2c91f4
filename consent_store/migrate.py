"""Bring a database to the newest schema with Alembic (`iass-bot db upgrade`)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", "consent_store:migrations")
    config.attributes["url"] = url
    return config


def upgrade_to_head(url: str) -> None:
    """Apply every migration not yet applied. Blocking: call from a thread inside an event loop."""
    command.upgrade(alembic_config(url), "head")
