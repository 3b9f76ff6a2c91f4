"""Whether the store answers, and the failures that mean it does not (unreachable, refusing
connections, timing out), which callers that must fail closed catch."""

from __future__ import annotations

from sqlalchemy import select

from consent_store.errors import STORE_FAILURES
from consent_store.unit_of_work import Store

__all__ = ["STORE_FAILURES", "check_store"]


async def check_store(store: Store) -> None:
    """Run a trivial query; raises one of `STORE_FAILURES` when the store does not answer."""
    async with store.reading() as uow:
        await uow.session.execute(select(1))
