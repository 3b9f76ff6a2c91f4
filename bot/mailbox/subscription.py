"""Keeping the consent mailbox's change-notification subscription alive.

Outlook message subscriptions last at most 7 days; ours asks for 3, and every check renews it
(a renewal also reauthorizes it). Graph answers 404 for a subscription it no longer has (it
expired, was deleted, or Graph removed it; the sandbox forgets its subscriptions when it
restarts): the check then subscribes again, and the reader catches up by delta, since
notifications were lost meanwhile. A subscription that does not notify our current URLs
(made before the bot asked for lifecycle notifications, which cannot be added by an update)
is replaced the same way. The client state is a fresh random secret for each subscription,
kept in the database so every bot instance can check notifications against it.

Lifecycle notifications (`bot.mailbox.lifecycle`) ask for a check at once
(`reauthorizationRequired`, `subscriptionRemoved`) or a catch-up (`missed`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.graph.mailbox import ConsentMailbox, NotificationUrls, SubscriptionGoneError
from bot.mailbox.notifications import READ_FAILURES
from consent_store.unit_of_work import Store

log = logging.getLogger(__name__)

LIFETIME = timedelta(days=3)


@dataclass(frozen=True)
class Subscribed:
    expires_at: datetime
    new: bool
    """A new subscription was made: notifications may have been lost before it."""


async def ensure_subscription(
    store: Store, mailbox: ConsentMailbox, urls: NotificationUrls
) -> Subscribed:
    """Renew the stored subscription, or create one when there is none, Graph no longer has
    it, or it notifies other URLs."""
    async with store.unit_of_work() as uow:
        cursor = await uow.inbound.cursor(mailbox.address)
        now = uow.now()
    replaced = None
    if cursor is not None and cursor.subscription_id and cursor.client_state:
        try:
            renewal = await mailbox.renew(cursor.subscription_id, now + LIFETIME)
        except SubscriptionGoneError:
            log.warning("the mail subscription is gone from Graph; subscribing again")
        else:
            if renewal.urls in (None, urls):
                kept = (cursor.subscription_id, renewal.expires_at, cursor.client_state)
                await _save(store, mailbox.address, kept)
                return Subscribed(renewal.expires_at, new=False)
            log.warning("the mail subscription notifies other URLs; replacing it")
            replaced = cursor.subscription_id
    client_state = secrets.token_urlsafe(32)
    subscription_id, expires = await mailbox.subscribe(urls, client_state, now + LIFETIME)
    await _save(store, mailbox.address, (subscription_id, expires, client_state))
    if replaced is not None:
        await mailbox.unsubscribe(replaced)
    return Subscribed(expires, new=True)


async def _save(store: Store, address: str, subscription: tuple[str, datetime, str]) -> None:
    async with store.unit_of_work() as uow:
        await uow.inbound.save_cursor(address, uow.now(), subscription=subscription)
        await uow.commit()


async def current_client_state(store: Store, address: str) -> str | None:
    async with store.unit_of_work() as uow:
        cursor = await uow.inbound.cursor(address)
    return cursor.client_state if cursor else None


class SubscriptionKeeper:
    """Checks a subscription (`ensure`: renew it, or make a new one) every `interval` seconds,
    at once when asked (`check_soon`), and after a failure again in `retry_interval` seconds;
    `on_new` is called after a new subscription is made (notifications may have been lost:
    catch up). Keeps the consent mailbox's subscription and the recording backstop's."""

    def __init__(
        self,
        ensure: Callable[[], Awaitable[Subscribed]],
        on_new: Callable[[], None],
        *,
        interval: float,
        retry_interval: float,
        name: str = "mail",
    ) -> None:
        self._ensure = ensure
        self._on_new = on_new
        self._interval = interval
        self._retry_interval = retry_interval
        self._name = name
        self._wake = asyncio.Event()

    def check_soon(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        while True:
            self._wake.clear()
            try:
                subscribed = await self._ensure()
            except READ_FAILURES as error:
                log.warning(
                    "%s subscription not in place yet: %s", self._name, type(error).__name__
                )
                delay = self._retry_interval
            else:
                if subscribed.new:
                    self._on_new()
                delay = self._interval
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
