"""The accessibility statement at `/accessibility` (the Public Sector Bodies (Websites and Mobile
Applications) Accessibility Regulations 2018), in the GOV.UK model statement's sections, with the
service profile's contact details. Anyone may read it, signed in or not; every page's footer
links to it."""

from __future__ import annotations

from aiohttp import web

from bot.web.app_keys import SETTINGS_KEY
from bot.web.pages import page

STATEMENT_PREPARED = "7 December 2026"


async def accessibility_statement(request: web.Request) -> web.Response:
    return page(
        request,
        "accessibility.html.j2",
        service=request.config_dict[SETTINGS_KEY].service,
        prepared=STATEMENT_PREPARED,
    )
