"""`GET /readyz`: whether this instance can do its work, for a load balancer or orchestrator to
send it traffic or not. 200 when the store answers a trivial query within `READY_SECONDS`, its
schema is at the newest migration, and a Graph token can be had (`GraphTokenProbe`); 503 with
a short reason otherwise (logged, by the failure's type). `/healthz` stays liveness only: it
answers while the process runs, whatever the store."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.graph.readiness import GraphTokenProbe
from consent_store.migrate import schema_is_current
from consent_store.readiness import STORE_FAILURES, check_store
from consent_store.unit_of_work import Store

log = logging.getLogger(__name__)

READY_SECONDS = 2.0
SCHEMA_SECONDS = 10.0
"""The first schema check also reads the migration scripts."""


def _not_ready(reason: str) -> web.Response:
    log.warning("not ready: %s", reason)
    return web.json_response({"status": "not ready", "reason": reason}, status=503)


def readiness(
    store: Store, graph: GraphTokenProbe | None = None
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """The `/readyz` handler for `store` and, when given, the tenant's Graph token. Once the
    schema is found current it is not read again (migrations run before new code starts)."""
    schema_current = False

    async def readyz(_request: web.Request) -> web.Response:
        nonlocal schema_current
        try:
            async with asyncio.timeout(READY_SECONDS):
                await check_store(store)
            if not schema_current:
                async with asyncio.timeout(SCHEMA_SECONDS):
                    schema_current = await schema_is_current(store.engine)
        except STORE_FAILURES as failure:
            return _not_ready(f"the store does not answer ({type(failure).__name__})")
        if not schema_current:
            return _not_ready("the store's schema is not the newest: run `iass-bot db upgrade`")
        problem = None if graph is None else await graph.unavailable()
        if problem is not None:
            return _not_ready(problem)
        return web.json_response({"status": "ready"})

    return readyz
