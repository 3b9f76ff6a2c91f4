"""Graph's lifecycle notifications for the consent mailbox's subscription
(https://learn.microsoft.com/graph/change-notifications-lifecycle-events).

Each is answered 202 at once and acted on afterwards, when its `clientState` is ours:
`missed` (some change notifications were not delivered) wakes the reader for a delta
catch-up; `reauthorizationRequired` asks the keeper to check now, which renews (a renewal
reauthorizes); `subscriptionRemoved` asks the same check, which finds the subscription gone
and subscribes again, then catches up. A body that is not a collection of lifecycle
notifications is answered 400; an event we do not know is logged by name and counted.
"""

from __future__ import annotations

import hmac
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web

from bot.mailbox.notifications import ClientState, ReadingLoop
from bot.mailbox.subscription import SubscriptionKeeper
from bot.web.json_body import json_object, malformed

log = logging.getLogger(__name__)

CLIENT_STATE_MAX_LENGTH = 255
KNOWN_EVENTS = frozenset({"missed", "reauthorizationRequired", "subscriptionRemoved"})
unknown_events: Counter[str] = Counter()
"""Lifecycle events with our clientState that the bot does not know, by name."""


def lifecycle_events(body: Mapping[str, Any]) -> list[tuple[str, str]] | None:
    """(lifecycleEvent, clientState) of each notification; None when the body is not a
    collection of lifecycle notifications."""
    notifications = body.get("value")
    if not isinstance(notifications, list):
        return None
    events = []
    for notification in notifications:
        if not isinstance(notification, dict):
            return None
        event, state = notification.get("lifecycleEvent"), notification.get("clientState")
        if not (
            isinstance(event, str)
            and event.isascii()
            and isinstance(state, str)
            and state.isascii()
            and len(state) <= CLIENT_STATE_MAX_LENGTH
        ):
            return None
        events.append((event, state))
    return events


def lifecycle_handler(
    loop: ReadingLoop, keeper: SubscriptionKeeper, client_state: ClientState
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """The aiohttp handler for the subscription's lifecycleNotificationUrl."""

    async def handle(request: web.Request) -> web.Response:
        token = request.query.get("validationToken")
        if token is not None:
            return web.Response(text=token, content_type="text/plain")
        events = lifecycle_events(await json_object(request))
        if events is None:
            raise malformed(request, "not a collection of lifecycle notifications")
        expected = await client_state()
        for event, state in events:
            if expected is None or not hmac.compare_digest(state.encode(), expected.encode()):
                log.warning("ignored a mail lifecycle notification with the wrong clientState")
            elif event == "missed":
                loop.poke()
            elif event in KNOWN_EVENTS:
                keeper.check_soon()
            else:
                unknown_events[event[:64]] += 1
                log.warning("unknown mail lifecycle event %r ignored", event[:64])
        return web.Response(status=202)

    return handle
