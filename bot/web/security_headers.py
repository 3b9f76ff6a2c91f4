"""Security headers on every staff page: a strict Content-Security-Policy (no scripts at all,
styles only from this site, framing only by this site and Microsoft Teams), no MIME sniffing,
no referrer, and no caching of pages that show personal data.

The one page with a script is the tab's Teams sign-in page (`TEAMS_SIGN_IN_POLICY`): scripts
from this site only (our copy of the Teams JavaScript SDK and a small script of our own), and
requests to this site only. The SDK's attempt to fetch Microsoft's list of Teams origins from a
CDN is refused by that policy; it then uses the list built into it."""

from __future__ import annotations

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


async def add_security_headers(_request: web.Request, response: web.StreamResponse) -> None:
    """An `on_response_prepare` signal handler: runs for every response, errors included."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
