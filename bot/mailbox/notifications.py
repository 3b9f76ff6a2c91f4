"""Change notifications for the consent mailbox, and the loop that reads it.

Graph validates a new subscription by POSTing `validationToken` (echo it within 10 s) and then
POSTs notifications that must be answered within 3 s: the handler only checks `clientState`
and wakes the reader, which does the work afterwards. Notifications carry no content we use;
the delta query finds what is new, so a lost or duplicated notification costs nothing but time.

A body that is not a `changeNotificationCollection` (a JSON object whose `value` is a list of
`changeNotification` objects, each `clientState` a string of at most 255 characters; ours are
ASCII) is answered 400; one with the wrong `clientState` is answered 202 and ignored.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx
from aiohttp import web
from kiota_abstractions.api_error import APIError

from bot.mailbox.reader import MailboxReader
from bot.web.json_body import json_object, malformed
from consent_store.errors import STORE_FAILURES

log = logging.getLogger(__name__)

ClientState = Callable[[], Awaitable[str | None]]
READ_FAILURES = (APIError, httpx.HTTPError, *STORE_FAILURES)
CLIENT_STATE_MAX_LENGTH = 255


class MalformedNotifications(ValueError):
    """The body is not a `changeNotificationCollection`; the message names what is wrong."""


def client_states(body: Mapping[str, Any]) -> list[str | None]:
    """Each notification's `clientState` (None where it has none), in order;
    `MalformedNotifications` when the body is not a collection of change notifications."""
    notifications = body.get("value")
    if not isinstance(notifications, list):
        raise MalformedNotifications("value is not a list")
    states: list[str | None] = []
    for notification in notifications:
        if not isinstance(notification, dict):
            raise MalformedNotifications("a notification is not an object")
        state = notification.get("clientState")
        if state is not None and not (
            isinstance(state, str) and state.isascii() and len(state) <= CLIENT_STATE_MAX_LENGTH
        ):
            raise MalformedNotifications(
                "clientState is not an ASCII string of at most 255 characters"
            )
        states.append(state)
    return states


RETRY_FIRST_SECONDS = 1.0
RETRY_MOST_SECONDS = 4.0
"""A read that fails is tried again after 1 s, doubling to at most 4 s for as long as it
fails: the mailbox is read within seconds of the store or Graph coming back, however long
they were away (each try costs one store read, or one Graph request)."""


class ReadingLoop:
    """Reads the mailbox when poked, and every `interval` seconds regardless.

    Pokes during a read are coalesced into one more read. A failed read is logged (without
    personal data) and tried again after `retry_first` seconds, doubling up to `retry_most`
    (`RETRY_MOST_SECONDS`), or at the next poke if sooner: Graph does not notify again for
    mail it has notified, so a withdrawal that arrived while the store or Graph failed is read
    moments after they are back, not at the next tick.
    """

    def __init__(
        self,
        reader: MailboxReader,
        interval: float,
        *,
        retry_first: float = RETRY_FIRST_SECONDS,
        retry_most: float = RETRY_MOST_SECONDS,
    ) -> None:
        self._reader = reader
        self._interval = interval
        self._retry_first = retry_first
        self._retry_most = retry_most
        self._wake = asyncio.Event()

    def poke(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        retry: float | None = None
        while True:
            try:
                await self._reader.catch_up()
            except READ_FAILURES as error:
                log.warning("reading the consent mailbox failed: %s", type(error).__name__)
                retry = self._retry_first if retry is None else min(retry * 2, self._retry_most)
            else:
                retry = None
            with contextlib.suppress(TimeoutError):
                wait = self._interval if retry is None else retry
                await asyncio.wait_for(self._wake.wait(), timeout=wait)
            self._wake.clear()


def notification_handler(
    loop: ReadingLoop, client_state: ClientState
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """The aiohttp handler for the subscription's notification URL."""

    async def handle(request: web.Request) -> web.Response:
        token = request.query.get("validationToken")
        if token is not None:
            return web.Response(text=token, content_type="text/plain")
        try:
            states = client_states(await json_object(request))
        except MalformedNotifications as error:
            raise malformed(request, str(error)) from None
        expected = await client_state()
        genuine = expected is not None and any(
            state is not None and hmac.compare_digest(state.encode(), expected.encode())
            for state in states
        )
        if genuine:
            loop.poke()
        else:
            log.warning("ignored a mail notification with the wrong clientState")
        return web.Response(status=202)

    return handle
