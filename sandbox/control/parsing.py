"""How the control API reads requests and reports problems: JSON bodies and typed fields,
and `ControlError`, answered as `{"error": message}` with its status."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@web.middleware
async def control_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except ControlError as error:
        return web.json_response({"error": error.message}, status=error.status)
    return response


async def json_body(request: web.Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.text() or "{}")
    except ValueError as error:
        raise ControlError(400, "the body must be JSON") from error
    if not isinstance(body, dict):
        raise ControlError(400, "the body must be a JSON object")
    return body


def text_field(body: dict[str, Any], name: str, default: str | None = None) -> str:
    value = body.get(name, default)
    if not isinstance(value, str):
        raise ControlError(400, f"'{name}' must be a string")
    return value


def optional_text_field(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise ControlError(400, f"'{name}' must be a string")
    return value


def integer_field(body: dict[str, Any], name: str, default: int) -> int:
    value = body.get(name, default)
    if not isinstance(value, int):
        raise ControlError(400, f"'{name}' must be an integer")
    return value


def boolean_field(body: dict[str, Any], name: str, default: bool) -> bool:
    value = body.get(name, default)
    if not isinstance(value, bool):
        raise ControlError(400, f"'{name}' must be a boolean")
    return value


def count_field(body: dict[str, Any]) -> int:
    value = body.get("count", 1)
    if not isinstance(value, int) or value < 1:
        raise ControlError(400, "'count' must be a positive integer")
    return value


def file_content(body: dict[str, Any]) -> bytes:
    """A file's bytes from `"contentBase64"`, or else the text of `"content"`."""
    if "contentBase64" in body:
        try:
            return base64.b64decode(text_field(body, "contentBase64"), validate=True)
        except binascii.Error as error:
            raise ControlError(400, "'contentBase64' is not base64") from error
    return text_field(body, "content", "").encode()
