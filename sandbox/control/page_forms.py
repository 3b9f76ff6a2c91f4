"""Plain HTML forms on the sandbox pages: reading a submitted form's fields, and writing the
few kinds of fields the pages use (hidden, text, textarea, select, checkbox). Labels, names
and values are escaped."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from aiohttp import web


class FormFields:
    """A submitted `application/x-www-form-urlencoded` form: text fields (line ends as
    `\\n`), an absent field reading as empty."""

    def __init__(self, fields: dict[str, str]) -> None:
        self._fields = fields

    @classmethod
    async def of(cls, request: web.Request) -> FormFields:
        posted = await request.post()
        return cls({k: v.replace("\r\n", "\n") for k, v in posted.items() if isinstance(v, str)})

    def text(self, name: str) -> str:
        return self._fields.get(name, "")

    def checked(self, name: str) -> bool:
        return name in self._fields


def form(action: str, fields: str, button: str) -> str:
    return (
        f"<form method='post' action='{escape(action)}'>{fields}"
        f"<button type='submit'>{escape(button)}</button></form>"
    )


def hidden(name: str, value: str) -> str:
    return f"<input type='hidden' name='{escape(name)}' value='{escape(value)}'>"


def text_input(name: str, label: str, *, field_id: str, value: str = "") -> str:
    return (
        f"<label for='{escape(field_id)}'>{escape(label)}</label>"
        f"<input type='text' id='{escape(field_id)}' name='{escape(name)}' "
        f"value='{escape(value)}'>"
    )


def text_area(name: str, label: str, *, field_id: str) -> str:
    return (
        f"<label for='{escape(field_id)}'>{escape(label)}</label>"
        f"<textarea id='{escape(field_id)}' name='{escape(name)}'></textarea>"
    )


def select(
    name: str,
    label: str,
    options: Iterable[tuple[str, str]],
    *,
    field_id: str,
    selected: str | None = None,
) -> str:
    """`options` as (value, shown text) pairs; the one whose value is `selected` is chosen,
    else the first."""
    choices = "".join(
        f"<option value='{escape(value)}'{' selected' if value == selected else ''}>"
        f"{escape(shown)}</option>"
        for value, shown in options
    )
    return (
        f"<label for='{escape(field_id)}'>{escape(label)}</label>"
        f"<select id='{escape(field_id)}' name='{escape(name)}'>{choices}</select>"
    )


def checkbox(name: str, label: str, *, field_id: str, checked: bool) -> str:
    mark = " checked" if checked else ""
    return (
        f"<label for='{escape(field_id)}'><input type='checkbox' id='{escape(field_id)}' "
        f"name='{escape(name)}' value='yes'{mark}> {escape(label)}</label>"
    )
