"""`POST /api/calls`: where Graph posts the comms notifications of the bot's calls.

Each request's JWT is checked first (401 when it is missing, badly signed, for another
audience or issuer, names no tenant or another one, or expired; 503 when the calling service's
keys cannot be fetched). A
valid body is answered 202 once the inbox has stored its notices, and handled afterwards, in
order per call. Graph does not send a notification again once it is answered 2xx, so when the
store cannot take the notices the request is refused with 503 (logged and counted), and Graph
may deliver it again; nothing is answered 202 and then lost.

The route goes on the root application at exactly `/api/calls`, not under the Agents SDK's
JWT middleware (which checks Bot Framework channel tokens, not calling tokens). aiohttp
resolves the longest matching path first, so a sub-application mounted at `/api` does not
shadow it.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence
from typing import Protocol

from aiohttp import web

from bot.calling.notifications import (
    MalformedNotifications,
    ReceivedNotice,
    read_comms_notifications,
)
from bot.calling.tokens import CallingKeysUnavailable, CallingTokenRejected, CallingTokenValidator
from bot.graph.calls import CALLBACK_PATH
from bot.web.json_body import json_body, malformed
from consent_store.readiness import STORE_FAILURES

log = logging.getLogger(__name__)


class NoticeInbox(Protocol):
    """Where accepted notices go (`bot.calling.inbox.CallNotificationInbox`); `accept`
    returns once they are stored, and raises one of `STORE_FAILURES` when they cannot be."""

    async def accept(self, notices: Sequence[ReceivedNotice]) -> None: ...

    async def close(self) -> None: ...


def attach_calling(
    app: web.Application, validator: CallingTokenValidator, inbox: NoticeInbox
) -> None:
    """Add `POST /api/calls` to `app`, and stop the inbox when the app shuts down."""
    refusals = itertools.count(1)

    async def notifications(request: web.Request) -> web.Response:
        try:
            await validator.claims(request.headers.get("Authorization"))
        except CallingTokenRejected as rejected:
            log.warning("a calls notification was refused: %s", rejected)
            raise web.HTTPUnauthorized(
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
            ) from None
        except CallingKeysUnavailable as unavailable:
            log.warning("calling service keys unavailable: %s", unavailable)
            raise web.HTTPServiceUnavailable() from None
        body = await json_body(request)
        try:
            notices = read_comms_notifications(body)
        except MalformedNotifications as error:
            raise malformed(request, str(error)) from None
        try:
            await inbox.accept(notices)
        except STORE_FAILURES as failure:
            log.warning(
                "calls notifications refused, the store cannot take them (%d so far): %s",
                next(refusals),
                type(failure).__name__,
            )
            raise web.HTTPServiceUnavailable(headers={"Retry-After": "5"}) from None
        return web.Response(status=202)

    async def stop_inbox(_app: web.Application) -> None:
        await inbox.close()

    app.router.add_post(CALLBACK_PATH, notifications)
    app.on_shutdown.append(stop_inbox)
