"""The sandbox's access log under `make run`: each request's method, route and status, under the
logger `sandbox.access`, never the path it was asked for or its query string.

The sandbox's pages are addressed by the people they show (`/sandbox/people/{address}`) and its
notices name them in the query string (`?notice=...+Priya+Raman+joined`). `make run` writes the
sandbox's log to the same terminal as the bot's, and the bot logs no personal data, so the
sandbox writes the route it matched (`/sandbox/people/{address}`) instead."""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

LOGGER = logging.getLogger("sandbox.access")


class RouteAccessLogger(AbstractAccessLogger):
    """`GET /sandbox/people/{address} 200`: the matched route's pattern, not the path."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        route = "(no route)"
        if isinstance(request, web.Request) and request.match_info.route.resource is not None:
            route = request.match_info.route.resource.canonical
        self.logger.info("%s %s %d", request.method, route, response.status)

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO)
