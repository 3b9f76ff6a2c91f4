"""Security headers on every staff page: a strict Content-Security-Policy (no scripts at all,
styles only from this site, framing only by this site and Microsoft Teams), no MIME sniffing,
no referrer, and no caching of pages that show personal data."""

from __future__ import annotations

from aiohttp import web

TEAMS_FRAME_ANCESTORS = (
    "https://teams.microsoft.com https://*.teams.microsoft.com https://*.cloud.microsoft"
)

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        f"frame-ancestors 'self' {TEAMS_FRAME_ANCESTORS}",
    )
)

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
