"""The manager's pages (legal requests decided, subject access, statistics) are for staff who
signed in holding the manager app role (`IASS.Manager` by default, `IASS_MANAGER_ROLE`);
anyone else signed in is refused with 403 and told why."""

from __future__ import annotations

from aiohttp import web

from bot.web.pages import Link, message_page
from bot.web.session import STAFF_SESSION


def refused_unless_manager(request: web.Request) -> web.Response | None:
    """None for a manager's session; otherwise the 403 page to return."""
    if request[STAFF_SESSION].is_manager:
        return None
    return message_page(
        request,
        status=403,
        title="Only the service manager can use this page",
        paragraphs=(
            "This page is for staff who hold the service manager role in Microsoft 365."
            " If you need it, ask the service manager.",
        ),
        link=Link("/tab", "Back to meetings"),
    )
