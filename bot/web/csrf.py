"""Cross-site request forgery protection: every form carries the session's token in a hidden
field, and a POST whose token is missing or different (compared in constant time) is refused."""

from __future__ import annotations

import hmac
import secrets

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from bot.web.json_body import form_body
from bot.web.pages import CSRF_FIELD, message_page
from bot.web.session import STAFF_SESSION

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def tokens_match(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.encode())


def refused(request: web.Request) -> web.Response:
    return message_page(
        request,
        status=403,
        title="This form could not be accepted",
        paragraphs=(
            "The form did not carry this page's security check, or your session has ended. "
            "Nothing was changed.",
            "Go back, reload the page and try again.",
        ),
    )


def csrf_middleware(exempt_paths: frozenset[str] = frozenset()) -> Middleware:
    """Checks every unsafe request except those to `exempt_paths` (the sign-in callback, which
    the sign-in's own state and nonce protect, and Teams single sign-on, whose token travels in
    a header no other site can send)."""

    @web.middleware
    async def check_token(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.method in SAFE_METHODS or request.path in exempt_paths:
            return await handler(request)
        session = request.get(STAFF_SESSION)
        given = (await form_body(request)).get(CSRF_FIELD)
        if (
            session is None
            or not isinstance(given, str)
            or not tokens_match(session.csrf_token, given)
        ):
            return refused(request)
        return await handler(request)

    return check_token
