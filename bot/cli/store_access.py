"""Opening the consent store for a command: settings, keys and schema checked, errors made plain."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.cli.errors import CliError
from bot.config import Settings
from consent_store.errors import StoreUnreachable, failure_reason
from consent_store.migrate import schema_is_current
from consent_store.unit_of_work import Store

T = TypeVar("T")
CLI_ACTOR = "cli"


def with_store(work: Callable[[Store], Awaitable[T]], settings: Settings | None = None) -> T:
    """Open the configured store, check its schema is current, run `work`, close the store."""
    settings = settings or Settings()
    try:
        key_ring = settings.key_ring()
    except ValueError as error:
        raise CliError(str(error)) from None

    async def run() -> T:
        store = Store.open(settings.database_url, key_ring)
        try:
            if not await schema_is_current(store.engine):
                raise CliError("the database is not up to date; run `iass-bot db upgrade` first")
            return await work(store)
        except (OSError, StoreUnreachable) as error:
            raise CliError(f"cannot reach the database: {failure_reason(error)}") from None
        finally:
            await store.close()

    return asyncio.run(run())
