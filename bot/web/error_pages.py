"""Friendly pages for an address that does not exist (404) or a form's address opened in the
browser (405), each with a way back, for people's browsers; other callers (the Bot Framework,
scripts) keep aiohttp's plain answers. The 404 page is the one every staff page answers with
when what it was asked for is not there (`not_found`, with the words of `wording`); the 409
page is the editing and cancelling pages' answer for a meeting too far on to change."""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.web.pages import Link, message_page
from bot.web.wording import NO_PAGE, Missing, back_to_meeting


def not_found(request: web.Request, missing: Missing = NO_PAGE) -> web.Response:
    """The 404 page: what is not there, and the way back."""
    return message_page(
        request, status=404, title=missing.title, paragraphs=(missing.sentence,), link=missing.back
    )


def not_changeable(request: web.Request, reference: str, reason: str) -> web.Response:
    """The 409 page of a meeting too far on (started, finished or cancelled) to change."""
    return message_page(
        request,
        status=409,
        title="This meeting cannot be changed",
        paragraphs=(reason,),
        link=back_to_meeting(reference),
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
        return not_found(request)
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
