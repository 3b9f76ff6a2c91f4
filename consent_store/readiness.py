"""Whether the store answers, and the failures that mean it does not (unreachable, refusing
connections, timing out), which callers that must fail closed catch."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from consent_store.unit_of_work import Store

STORE_FAILURES = (SQLAlchemyError, OSError)
"""How a store operation fails when the database cannot be reached or answer (`TimeoutError`
is an `OSError`)."""


async def check_store(store: Store) -> None:
    """Run a trivial query; raises one of `STORE_FAILURES` when the store does not answer."""
    async with store.reading() as uow:
        await uow.session.execute(select(1))
