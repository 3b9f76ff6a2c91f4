"""Security headers on every response of the bot (staff pages, its endpoints, 404s, errors):
a strict Content-Security-Policy (no scripts at all, styles only from this site, framing only by
this site and Microsoft Teams), no MIME sniffing, no referrer, no caching of pages that show
personal data, and, when the bot is reached over https, Strict-Transport-Security.

`security_headers` is an `on_response_prepare` handler for the root application only: aiohttp
sends that signal for each application a request was routed through, root first, so it reaches
the responses of every sub-application, and 404s and 405s too. (A request aiohttp cannot parse
as HTTP is answered 400 by the server before any application sees it, without these headers.)

The one page with a script is the tab's Teams sign-in page (`TEAMS_SIGN_IN_POLICY`): scripts
from this site only (our copy of the Teams JavaScript SDK and a small script of our own), and
requests to this site only. The SDK's attempt to fetch Microsoft's list of Teams origins from a
CDN is refused by that policy; it then uses the list built into it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web

TEAMS_FRAME_ANCESTORS = (
    "https://teams.microsoft.com https://*.teams.microsoft.com https://*.cloud.microsoft "
    "https://*.skype.com"
)


def _policy(*extra: str) -> str:
    return "; ".join(
        (
            "default-src 'none'",
            *extra,
            "style-src 'self'",
            "img-src 'self'",
            "form-action 'self'",
            "base-uri 'none'",
            f"frame-ancestors 'self' {TEAMS_FRAME_ANCESTORS}",
        )
    )


CONTENT_SECURITY_POLICY = _policy()
TEAMS_SIGN_IN_POLICY = _policy("script-src 'self'", "connect-src 'self'")

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"

ResponsePrepare = Callable[[web.Request, web.StreamResponse], Awaitable[None]]


def security_headers(public_url: str) -> ResponsePrepare:
    """The `on_response_prepare` handler for a bot published at `public_url`: HSTS on every
    response when that address is https (TLS ends at a proxy in front of the bot), else on
    responses to requests that came over https. A header a handler set itself is kept."""
    public_https = urlsplit(public_url).scheme == "https"

    async def add(request: web.Request, response: web.StreamResponse) -> None:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if public_https or request.secure:
            response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)

    return add
