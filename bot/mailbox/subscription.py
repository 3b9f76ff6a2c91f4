"""Keeping the consent mailbox's change-notification subscription alive.

Outlook message subscriptions last at most 7 days; ours asks for 3 and is renewed once less
than half of that remains. The client state is a fresh random secret for each subscription,
kept in the database so every bot instance can check notifications against it.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from bot.graph.mailbox import ConsentMailbox
from consent_store.unit_of_work import Store

LIFETIME = timedelta(days=3)


async def ensure_subscription(
    store: Store, mailbox: ConsentMailbox, notification_url: str
) -> datetime:
    """Create or renew the subscription as needed; returns its expiry."""
    async with store.unit_of_work() as uow:
        cursor = await uow.inbound.cursor(mailbox.address)
        now = uow.now()
    if (
        cursor is not None
        and cursor.subscription_id
        and cursor.subscription_expires_at
        and cursor.client_state
    ):
        if cursor.subscription_expires_at - now > LIFETIME / 2:
            return cursor.subscription_expires_at
        expires = await mailbox.renew(cursor.subscription_id, now + LIFETIME)
        subscription = (cursor.subscription_id, expires, cursor.client_state)
    else:
        client_state = secrets.token_urlsafe(32)
        subscription_id, expires = await mailbox.subscribe(
            notification_url, client_state, now + LIFETIME
        )
        subscription = (subscription_id, expires, client_state)
    async with store.unit_of_work() as uow:
        await uow.inbound.save_cursor(mailbox.address, uow.now(), subscription=subscription)
        await uow.commit()
    return subscription[1]


async def current_client_state(store: Store, address: str) -> str | None:
    async with store.unit_of_work() as uow:
        cursor = await uow.inbound.cursor(address)
    return cursor.client_state if cursor else None
