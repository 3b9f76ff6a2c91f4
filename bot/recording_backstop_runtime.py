"""The recording backstop while the bot runs: Graph's change and lifecycle notifications for
new recordings and transcripts, the subscriptions that send them, and the use case connected
to the bot's Graph clients (`bot.services.recording_backstop`).

Graph validates each URL when subscribing (echo `validationToken`) and wants every
notification answered within 3 s, so the handler checks each notification's `clientState`
against the subscription it names, queues what it names and answers 202; workers (a few at
once) check the meetings afterwards. A notification lost here, or one a worker fails on, is
covered by the checks after each meeting. Basic notifications come as a
`changeNotificationCollection`; Microsoft's page for recordings also shows one bare
notification object, accepted too.

Subscriptions (`communications/onlineMeetings/getAllRecordings` and `getAllTranscripts`) are
kept by the mail subscription's keeper: renewed every check, made again when Graph no longer
has one, and then the meetings of the last day are checked again, since notifications may have
been lost. Lifecycle notifications: `missed` checks those meetings again; `reauthorizationRequired`
and `subscriptionRemoved` ask for a check of the subscriptions at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import secrets
from collections import Counter
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Final

from aiohttp import web

from bot.config import TenantSettings
from bot.graph.recordings import WATCHED, resource_of
from bot.graph.subscriptions import GraphSubscriptions, NotificationUrls, SubscriptionGoneError
from bot.graph.tenant import TenantClients
from bot.mailbox.lifecycle import KNOWN_EVENTS, lifecycle_events
from bot.mailbox.notifications import CLIENT_STATE_MAX_LENGTH, READ_FAILURES
from bot.mailbox.subscription import Subscribed, SubscriptionKeeper
from bot.ports.recordings import NotifiedArtefact
from bot.scheduler.runner import Handler
from bot.services.recording_backstop import RecordingBackstop
from bot.web.json_body import json_object, malformed
from consent_store.recording_artefacts import KeptSubscription, RecordingArtefacts
from consent_store.unit_of_work import Store

log = logging.getLogger(__name__)

NOTIFICATION_PATH: Final = "/notifications/recordings"
LIFECYCLE_PATH: Final = "/notifications/recordings/lifecycle"
LIFETIME: Final = timedelta(minutes=55)
"""Under the 60 minutes Microsoft's Teams change-notification overview gives as the longest a
Teams subscription lasts; renewed well before."""
CHECK_INTERVAL: Final = 20 * 60.0
WORKERS: Final = 16
"""Notifications checked at once (each check is a few Graph calls and two writes)."""
RETRY_INTERVAL: Final = 30.0

ignored: Counter[str] = Counter()
"""Notifications not acted on, by reason (wrong client state, a resource not understood, the
worker failing)."""


def recording_notifications(body: Mapping[str, Any]) -> list[tuple[str, str, str]] | None:
    """(subscriptionId, clientState, resource) of each notification, the resource taken from
    `resource` or else `resourceData["@odata.id"]`; None when the body is not notifications."""
    items = body.get("value")
    notifications = items if isinstance(items, list) else [body]
    found = []
    for notification in notifications:
        if not isinstance(notification, dict):
            return None
        subscription, state = notification.get("subscriptionId"), notification.get("clientState")
        resource = notification.get("resource")
        data = notification.get("resourceData")
        if not isinstance(resource, str) and isinstance(data, dict):
            resource = data.get("@odata.id")
        if not (
            isinstance(subscription, str)
            and isinstance(state, str)
            and state.isascii()
            and len(state) <= CLIENT_STATE_MAX_LENGTH
            and isinstance(resource, str)
        ):
            return None
        found.append((subscription, state, resource))
    return found


async def ensure_subscriptions(
    store: Store, subscriptions: GraphSubscriptions, urls: NotificationUrls
) -> Subscribed:
    """Renew each watched resource's subscription, or make one where there is none or Graph
    no longer has it."""
    new = False
    expiries = []
    for resource in WATCHED.values():
        async with store.unit_of_work() as uow:
            kept = await RecordingArtefacts(uow).subscription(resource)
            now = uow.now()
        if kept is not None:
            try:
                renewal = await subscriptions.renew(kept.subscription_id, now + LIFETIME)
            except SubscriptionGoneError:
                log.warning("a recording subscription is gone from Graph; subscribing again")
            else:
                if renewal.urls in (None, urls):
                    await _keep(
                        store,
                        resource,
                        KeptSubscription(
                            kept.subscription_id, kept.client_state, renewal.expires_at
                        ),
                    )
                    expiries.append(renewal.expires_at)
                    continue
                await subscriptions.delete(kept.subscription_id)
        state = secrets.token_urlsafe(32)
        subscription_id, expires = await subscriptions.create(resource, urls, state, now + LIFETIME)
        await _keep(store, resource, KeptSubscription(subscription_id, state, expires))
        expiries.append(expires)
        new = True
    return Subscribed(min(expiries), new=new)


async def _keep(store: Store, resource: str, kept: KeptSubscription) -> None:
    async with store.unit_of_work() as uow:
        await RecordingArtefacts(uow).keep_subscription(resource, kept)
        await uow.commit()


async def _client_states(store: Store) -> dict[str, str]:
    async with store.reading() as uow:
        return await RecordingArtefacts(uow).client_states()


def _genuine(expected: str | None, state: str) -> bool:
    return expected is not None and hmac.compare_digest(state.encode(), expected.encode())


class RecordingBackstopRuntime:
    """Routes the notification endpoints; once the Graph clients open (`connect`), keeps the
    subscriptions and works through what the notifications name."""

    def __init__(self, store: Store, tenant: TenantSettings) -> None:
        self._store = store
        self._tenant = tenant
        self._backstop: RecordingBackstop | None = None
        self._keeper: SubscriptionKeeper | None = None
        self._queue: asyncio.Queue[NotifiedArtefact] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []

    def attach(self, app: web.Application) -> None:
        app.router.add_post(NOTIFICATION_PATH, self._changes)
        app.router.add_post(LIFECYCLE_PATH, self._lifecycle)

    def connect(self, clients: TenantClients) -> Mapping[str, Handler]:
        if clients.recordings is None:
            raise ValueError("the recordings client is missing")
        backstop = RecordingBackstop(
            self._store,
            clients.recordings,
            clients.mailbox,
            manager_role=self._tenant.manager_role,
        )
        base = self._tenant.public_url.rstrip("/")
        urls = NotificationUrls(base + NOTIFICATION_PATH, base + LIFECYCLE_PATH)
        subscriptions = clients.mailbox.subscriptions

        async def ensure() -> Subscribed:
            return await ensure_subscriptions(self._store, subscriptions, urls)

        self._keeper = SubscriptionKeeper(
            ensure,
            self._catch_up_soon,
            interval=CHECK_INTERVAL,
            retry_interval=RETRY_INTERVAL,
            name="recording",
        )
        self._backstop = backstop
        self._tasks = [
            asyncio.create_task(self._keeper.run()),
            *(asyncio.create_task(self._work()) for _ in range(WORKERS)),
        ]
        return backstop.job_handlers()

    async def disconnect(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        self._backstop = self._keeper = None

    def _catch_up_soon(self) -> None:
        self._tasks.append(asyncio.create_task(self._catch_up()))

    async def _catch_up(self) -> None:
        if self._backstop is None:
            return
        try:
            await self._backstop.catch_up()
        except READ_FAILURES as error:
            log.warning("recording catch-up not queued: %s", type(error).__name__)

    async def _work(self) -> None:
        while True:
            notified = await self._queue.get()
            if self._backstop is None:
                continue
            try:
                await self._backstop.notified(notified)
            except READ_FAILURES as error:
                ignored["worker failed"] += 1
                log.warning(
                    "a recording notification was not checked (%s); the check after the"
                    " meeting will find it",
                    type(error).__name__,
                )

    async def _changes(self, request: web.Request) -> web.StreamResponse:
        token = request.query.get("validationToken")
        if token is not None:
            return web.Response(text=token, content_type="text/plain")
        notifications = recording_notifications(await json_object(request))
        if notifications is None:
            raise malformed(request, "not a collection of change notifications")
        if self._backstop is None:
            return web.Response(status=503, text="recordings are not being watched")
        states = await _client_states(self._store)
        for subscription, state, resource in notifications:
            notified = resource_of(resource)
            if not _genuine(states.get(subscription), state):
                ignored["wrong client state"] += 1
                log.warning("ignored a recording notification with the wrong clientState")
            elif notified is None:
                ignored["resource not understood"] += 1
                log.warning("ignored a recording notification naming another resource")
            else:
                self._queue.put_nowait(notified)
        return web.Response(status=202)

    async def _lifecycle(self, request: web.Request) -> web.StreamResponse:
        token = request.query.get("validationToken")
        if token is not None:
            return web.Response(text=token, content_type="text/plain")
        events = lifecycle_events(await json_object(request))
        if events is None:
            raise malformed(request, "not a collection of lifecycle notifications")
        keeper = self._keeper
        if keeper is None:
            return web.Response(status=503, text="recordings are not being watched")
        states = set((await _client_states(self._store)).values())
        for event, state in events:
            if not any(_genuine(expected, state) for expected in states):
                ignored["wrong client state"] += 1
                log.warning("ignored a recording lifecycle notification with the wrong clientState")
            elif event == "missed":
                self._catch_up_soon()
            elif event in KNOWN_EVENTS:
                keeper.check_soon()
            else:
                ignored["unknown lifecycle event"] += 1
                log.warning("unknown recording lifecycle event %r ignored", event[:64])
        return web.Response(status=202)
