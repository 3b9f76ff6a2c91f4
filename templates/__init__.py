"""Jinja2 templates shipped with the product: emails, cards, speech and pages."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

UK_TIME = ZoneInfo("Europe/London")


def in_uk_time(moment: datetime, pattern: str = "%d %b %Y %H:%M") -> str:
    """Format an aware datetime as UK local time (GMT or BST), the zone staff and families use."""
    return moment.astimezone(UK_TIME).strftime(pattern)


@cache
def environment() -> Environment:
    """The shared Jinja2 environment; HTML templates (`*.html.j2`) are autoescaped."""
    env = Environment(
        loader=PackageLoader("templates", ""),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["uk_time"] = in_uk_time
    return env
