"""Friendly pages for an address that does not exist (404) or a form's address opened in the
browser (405), each with a way back, for people's browsers; other callers (the Bot Framework,
scripts) keep aiohttp's plain answers. Also how a failure of Microsoft 365 is told to staff."""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.web.pages import Link, message_page

GRAPH_FAILURE_ADVICE = (
    "This is usually a passing problem with Microsoft 365: try again in a few minutes. "
    "If it keeps happening, tell whoever looks after the service's Microsoft 365 (IT), with "
    "the time it happened."
)


def _wants_page(request: web.Request) -> bool:
    return request.method in {"GET", "HEAD"} and "text/html" in request.headers.get("Accept", "")


def _back_to(path: str) -> Link:
    """The page a form's address belongs to: `/tab/meetings/X/cancel` is on `/tab/meetings/X`."""
    if path.startswith("/tab/meetings/") and path.count("/") >= 4:
        return Link(path.rsplit("/", 1)[0], "Back to the meeting")
    if path.startswith("/tab/review/"):
        return Link("/tab/review", "Back to the review queue")
    return Link("/tab", "Back to meetings")


@web.middleware
async def friendly_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPNotFound:
        if not _wants_page(request):
            raise
        return message_page(
            request,
            status=404,
            title="Page not found",
            paragraphs=(
                "There is no page at this address. If you typed it, check it; if you followed "
                "a link, the page may have moved or been removed.",
            ),
            link=Link("/tab", "Go to the list of meetings"),
        )
    except web.HTTPMethodNotAllowed as refusal:
        if not _wants_page(request):
            raise
        response = message_page(
            request,
            status=405,
            title="This address is for a button",
            paragraphs=(
                "This address is used by a button on one of the staff pages, so it cannot be "
                "opened on its own. Nothing was changed.",
            ),
            link=_back_to(request.path),
        )
        response.headers["Allow"] = refusal.headers.get("Allow", "")
        return response
