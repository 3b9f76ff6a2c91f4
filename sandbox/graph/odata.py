"""OData request details Graph honours: JSON bodies, `$select`, `$top`/`$skip`, and the
`Prefer` header (`odata.maxpagesize`, `outlook.body-content-type`)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from aiohttp import web

from sandbox.graph.errors import bad_request

_MAX_PAGE_SIZE = re.compile(r"odata\.maxpagesize\s*=\s*(\d+)", re.IGNORECASE)
_TEXT_BODY = re.compile(r'outlook\.body-content-type\s*=\s*"?text"?', re.IGNORECASE)


async def json_object(request: web.Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.text())
    except ValueError as error:
        raise bad_request(
            "Unable to read JSON request payload. Please ensure Content-Type header is set and "
            "payload is of valid JSON format."
        ) from error
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    return body


def selected(
    request: web.Request, selectable: Sequence[str], type_name: str
) -> tuple[str, ...] | None:
    """The `$select`ed properties in their canonical spelling, or None without `$select`."""
    text = request.query.get("$select")
    if text is None:
        return None
    canonical = {name.lower(): name for name in selectable}
    chosen: list[str] = []
    for name in (part.strip() for part in text.split(",") if part.strip()):
        if name.lower() not in canonical:
            raise bad_request(f"Could not find a property named '{name}' on type '{type_name}'.")
        chosen.append(canonical[name.lower()])
    return tuple(chosen)


def project(
    resource: Mapping[str, Any],
    properties: Sequence[str],
    always: Sequence[str] = ("@odata.etag", "id"),
) -> dict[str, Any]:
    wanted = [*always, *properties]
    return {name: resource[name] for name in dict.fromkeys(wanted) if name in resource}


def integer_option(request: web.Request, name: str, default: int, maximum: int) -> int:
    text = request.query.get(name)
    if text is None:
        return default
    if not text.isdigit():
        raise bad_request(f"Invalid value '{text}' for query option {name}.")
    return min(int(text), maximum)


def prefer_max_page_size(request: web.Request) -> int | None:
    match = _MAX_PAGE_SIZE.search(request.headers.get("Prefer", ""))
    return int(match.group(1)) if match else None


def prefers_text_body(request: web.Request) -> bool:
    return bool(_TEXT_BODY.search(request.headers.get("Prefer", "")))


def lower_keys(body: Mapping[str, Any]) -> dict[str, Any]:
    """Action parameters by lower-cased name: Graph matches them case-insensitively, and
    msgraph-sdk sends sendMail's as `Message` and `SaveToSentItems`."""
    return {name.lower(): value for name, value in body.items()}
