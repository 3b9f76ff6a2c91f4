"""`GET /readyz`: whether this instance can do its work, for a load balancer or orchestrator to
send it traffic or not. 200 when the store answers a trivial query within `READY_SECONDS`;
503 with a short reason otherwise (logged by the failure's type). `/healthz` stays liveness
only: it answers while the process runs, whatever the store."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from consent_store.readiness import STORE_FAILURES, check_store
from consent_store.unit_of_work import Store

log = logging.getLogger(__name__)

READY_SECONDS = 2.0


def readiness(store: Store) -> Callable[[web.Request], Awaitable[web.Response]]:
    """The `/readyz` handler for `store`."""

    async def readyz(_request: web.Request) -> web.Response:
        try:
            async with asyncio.timeout(READY_SECONDS):
                await check_store(store)
        except STORE_FAILURES as failure:
            reason = f"the store does not answer ({type(failure).__name__})"
            log.warning("not ready: %s", reason)
            return web.json_response({"status": "not ready", "reason": reason}, status=503)
        return web.json_response({"status": "ready"})

    return readyz
