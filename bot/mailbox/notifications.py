"""Change notifications for the consent mailbox, and the loop that reads it.

Graph validates a new subscription by POSTing `validationToken` (echo it within 10 s) and then
POSTs notifications that must be answered within 3 s: the handler only checks `clientState`
and wakes the reader, which does the work afterwards. Notifications carry no content we use;
the delta query finds what is new, so a lost or duplicated notification costs nothing but time.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable

import httpx
from aiohttp import web
from kiota_abstractions.api_error import APIError
from sqlalchemy.exc import SQLAlchemyError

from bot.mailbox.reader import MailboxReader

log = logging.getLogger(__name__)

ClientState = Callable[[], Awaitable[str | None]]
READ_FAILURES = (APIError, httpx.HTTPError, SQLAlchemyError, OSError)


class ReadingLoop:
    """Reads the mailbox when poked, and every `interval` seconds regardless.

    Pokes during a read are coalesced into one more read; a failed read is logged (without
    personal data) and retried at the next poke or tick.
    """

    def __init__(self, reader: MailboxReader, interval: float) -> None:
        self._reader = reader
        self._interval = interval
        self._wake = asyncio.Event()

    def poke(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        while True:
            try:
                await self._reader.catch_up()
            except READ_FAILURES as error:
                log.warning("reading the consent mailbox failed: %s", type(error).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._interval)
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
            payload = json.loads(await request.text())
            notifications = payload["value"]
        except (json.JSONDecodeError, KeyError, TypeError):
            return web.Response(status=400, text="not a change notification")
        expected = await client_state()
        genuine = expected is not None and any(
            isinstance(item, dict)
            and hmac.compare_digest(str(item.get("clientState", "")), expected)
            for item in notifications
        )
        if genuine:
            loop.poke()
        else:
            log.warning("ignored a mail notification with the wrong clientState")
        return web.Response(status=202)

    return handle
