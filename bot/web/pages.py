"""Rendering staff pages from `templates/pages/` with what every page shows: the service's
name, who is signed in, and the CSRF token their forms carry; and the council's branding
(`/brand.css`: its colour for GOV.UK Frontend's brand colour)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.web.session import STAFF_SESSION
from templates import environment

CSRF_FIELD = "csrf_token"
SERVICE_NAME = web.AppKey("service_name", str)
BRAND_COLOUR = web.AppKey("brand_colour", str)


@dataclass(frozen=True)
class Link:
    href: str
    text: str


def page(request: web.Request, template: str, *, status: int = 200, **context: Any) -> web.Response:
    html = (
        environment()
        .get_template(f"pages/{template}")
        .render(
            service_name=request.config_dict[SERVICE_NAME],
            session=request.get(STAFF_SESSION),
            csrf_field=CSRF_FIELD,
            current_path=request.path,
            **context,
        )
    )
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


def message_page(
    request: web.Request,
    *,
    status: int,
    title: str,
    paragraphs: Sequence[str],
    link: Link | None = None,
) -> web.Response:
    """A plain page that says one thing, such as why something is not available."""
    return page(
        request, "message.html.j2", status=status, title=title, paragraphs=paragraphs, link=link
    )


async def brand_stylesheet(request: web.Request) -> web.Response:
    """The service's colour as GOV.UK Frontend's brand colour (its header, banners and the
    council's header on every page). The colour is checked when the settings are read."""
    return web.Response(
        text=f":root {{ --govuk-brand-colour: {request.config_dict[BRAND_COLOUR]}; }}\n",
        content_type="text/css",
        charset="utf-8",
    )
