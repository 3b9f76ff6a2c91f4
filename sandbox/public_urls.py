"""Absolute URLs of the sandbox's own routes as a browser or client can reach them: the
configured public origin, else the origin the request came in on, plus the route's path
(which includes any prefix the sandbox is mounted under)."""

from __future__ import annotations

from aiohttp import web
from yarl import URL

from sandbox.app_keys import PUBLIC_ORIGIN


def public_url(request: web.Request, route_name: str, **parts: str) -> str:
    origin = request.config_dict.get(PUBLIC_ORIGIN) or str(request.url.origin())
    path = request.app.router[route_name].url_for(**parts)
    return str(URL(origin).join(path))
