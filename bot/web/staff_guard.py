"""Only signed-in staff reach the staff pages: anyone else asking for a page is sent to sign in
(and brought back afterwards), or, opening the tab inside Teams, gets the Teams sign-in page; any
other request without a session is refused. When sessions cannot be checked (the store is out of
reach) the answer is 503, never a page served without the check."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.web.pages import Link, message_page
from bot.web.session import STAFF_SESSION, SessionsUnavailable, failures
from bot.web.teams_tab import opened_in_teams, teams_sign_in_page

logger = logging.getLogger(__name__)

SIGN_IN_PATH = "/auth/sign-in"


def sign_in_url(return_to: str) -> str:
    return f"{SIGN_IN_PATH}?{urlencode({'return_to': return_to})}"


@web.middleware
async def require_staff(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.get(STAFF_SESSION) is not None:
        return await handler(request)
    if request.method in {"GET", "HEAD"}:
        if opened_in_teams(request):
            return teams_sign_in_page(request)
        raise web.HTTPSeeOther(sign_in_url(request.path_qs))
    return message_page(
        request,
        status=403,
        title="Please sign in",
        paragraphs=("Your session has ended, so nothing was changed. Sign in and try again.",),
        link=Link(sign_in_url("/tab"), "Sign in"),
    )


@web.middleware
async def sessions_unavailable(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answers 503 when the store holding sessions cannot be reached, whether looking the
    session up, starting one or ending one."""
    try:
        return await handler(request)
    except SessionsUnavailable as error:
        failures["store unreachable"] += 1
        logger.warning(
            "staff sessions unavailable: %s (%d so far)", error, failures["store unreachable"]
        )
        return message_page(
            request,
            status=503,
            title="The staff pages are not available right now",
            paragraphs=(
                "Your session could not be checked, so nothing was shown or changed. "
                "Try again in a few minutes.",
            ),
            link=Link(
                request.path_qs if request.method in {"GET", "HEAD"} else "/tab", "Try again"
            ),
        )
