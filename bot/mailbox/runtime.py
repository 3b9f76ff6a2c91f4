"""The consent mailbox while the bot runs: the notification endpoint, and the background work
that reads the mailbox, keeps the subscription alive, and runs the durable jobs. What those
jobs are, and who hears that decisions changed, is the composition root's table
(`bot.bootstrap.connected_work`), given here as a `Wiring`.

If the tenant is not configured, the bot runs without reading mail and says so in its log.
Subscribing waits until the bot is listening (Graph validates the notification URL at once),
and is retried; until it succeeds the timer's delta catch-up reads the mailbox anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Protocol

from aiohttp import web

from bot.config import TenantSettings
from bot.graph.mailbox import NotificationUrls
from bot.graph.tenant import TenantClients, open_tenant
from bot.mailbox.lifecycle import lifecycle_handler
from bot.mailbox.notifications import ReadingLoop, notification_handler
from bot.mailbox.reader import MailboxReader
from bot.mailbox.subscription import (
    SubscriptionKeeper,
    current_client_state,
    ensure_subscription,
)
from bot.scheduler.runner import Handler, JobRunner, RetryPolicy
from bot.services.decision_events import Listener
from bot.web.app_keys import DECISION_EVENTS, TENANT_ACCESS
from consent_store.unit_of_work import Store

log = logging.getLogger(__name__)

NOTIFICATION_PATH = "/notifications/mail"
LIFECYCLE_PATH = "/notifications/mail/lifecycle"
CATCH_UP_INTERVAL = 300.0
SUBSCRIPTION_CHECK_INTERVAL = 3600.0
SUBSCRIPTION_RETRY_INTERVAL = 30.0
JOB_LEASE = timedelta(minutes=5)
JOB_POLL = timedelta(seconds=5)
"""How often due jobs are looked for: a change of Teams' recording setting that failed is
retried by its reconcile job within seconds."""


def worker_id() -> str:
    """This instance's name in job claims: host and process."""
    return f"{socket.gethostname()}-{os.getpid()}"


@dataclass(frozen=True)
class ConnectedWork:
    """What the bot does once its Graph clients are open: the consent mailbox's reader (and
    what it tells when it records decisions), who hears that a meeting's decisions changed
    otherwise, and the handler (and retry policy) of each kind of durable job."""

    reader: MailboxReader
    decision_listeners: Sequence[Listener]
    handlers: Mapping[str, Handler]
    retry: Mapping[str, RetryPolicy] = field(default_factory=dict)


Wiring = Callable[[TenantClients], ConnectedWork]
"""The composition root's table, built over the open clients."""


class ClientsListener(Protocol):
    """Told when the bot's Graph clients open (returning the timed jobs it adds) and close."""

    def connect(self, clients: TenantClients) -> Mapping[str, Handler]: ...

    async def disconnect(self) -> None: ...


def attach_consent_mailbox(
    app: web.Application,
    store: Store,
    tenant: TenantSettings,
    wiring: Wiring,
    *,
    listeners: Sequence[ClientsListener] = (),
) -> None:
    """Add the notification endpoint and the mailbox's background work to `app`: once the
    tenant's clients are open, `wiring` says who hears that decisions changed (from the review
    queue) and which jobs run. `listeners` (the bot inside meetings, the recording backstop)
    are connected to the same Graph clients."""
    events = app[DECISION_EVENTS]
    access = app[TENANT_ACCESS]
    holder: dict[str, ReadingLoop] = {}
    keeping: dict[str, SubscriptionKeeper] = {}

    async def client_state() -> str | None:
        return await current_client_state(store, tenant.consent_mailbox)

    async def handle(request: web.Request) -> web.StreamResponse:
        loop = holder.get("loop")
        if loop is None:
            return web.Response(status=503, text="the consent mailbox is not being read")
        return await notification_handler(loop, client_state)(request)

    app.router.add_post(NOTIFICATION_PATH, handle)

    async def handle_lifecycle(request: web.Request) -> web.StreamResponse:
        loop, keeper = holder.get("loop"), keeping.get("keeper")
        if loop is None or keeper is None:
            return web.Response(status=503, text="the consent mailbox is not being read")
        return await lifecycle_handler(loop, keeper, client_state)(request)

    app.router.add_post(LIFECYCLE_PATH, handle_lifecycle)

    async def run(_app: web.Application) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            try:
                clients = await stack.enter_async_context(open_tenant(tenant))
            except ValueError as error:
                log.warning("not reading the consent mailbox: %s", error)
                yield
                return

            access.clients = clients
            work = wiring(clients)
            holder["loop"] = loop = ReadingLoop(work.reader, CATCH_UP_INTERVAL)
            base = tenant.public_url.rstrip("/")
            urls = NotificationUrls(base + NOTIFICATION_PATH, base + LIFECYCLE_PATH)
            keeping["keeper"] = keeper = SubscriptionKeeper(
                partial(ensure_subscription, store, clients.mailbox, urls),
                loop.poke,
                interval=SUBSCRIPTION_CHECK_INTERVAL,
                retry_interval=SUBSCRIPTION_RETRY_INTERVAL,
            )
            for listener_of_decisions in work.decision_listeners:
                events.add(listener_of_decisions)
            handlers = dict(work.handlers)
            for listener in listeners:
                handlers.update(listener.connect(clients))
            jobs = JobRunner(
                store,
                handlers,
                worker_id=worker_id(),
                lease=JOB_LEASE,
                poll_interval=JOB_POLL,
                retry=work.retry,
            )
            tasks = [
                asyncio.create_task(loop.run()),
                asyncio.create_task(keeper.run()),
                asyncio.create_task(jobs.run_forever()),
            ]
            yield
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            access.clients = None
            for listener in listeners:
                await listener.disconnect()

    app.cleanup_ctx.append(run)
