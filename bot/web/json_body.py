"""Reading a request's body, refusing a malformed one with 400 instead of failing with 500.

JSON bodies must be UTF-8 (RFC 8259, section 8.1: no other charset is accepted), parse as
JSON, and nest no deeper than Python's parser can follow (it raises `RecursionError`). Form
bodies must parse as aiohttp's `post()` reads them. Each refusal is logged by endpoint and
reason only, never with the body (it may carry personal data), and counted per endpoint and
reason for this process; the log line carries the running count. A body over the
application's size limit is aiohttp's 413, left as it is."""

from __future__ import annotations

import json
import logging
from collections import Counter
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

log = logging.getLogger(__name__)

UTF_8 = "utf-8"
refused_bodies: Counter[tuple[str, str]] = Counter()
"""How many malformed bodies this process has refused, by endpoint and reason."""


def _endpoint(request: web.Request) -> str:
    """The route's pattern (`/tab/meetings/{reference}/edit`), not the path with its values."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else request.path


def malformed(request: web.Request, reason: str) -> web.HTTPBadRequest:
    """Log and count a malformed body; returns the 400 to raise. `reason` is a fixed phrase
    naming what is wrong, never a value taken from the body."""
    key = (_endpoint(request), reason)
    refused_bodies[key] += 1
    log.warning(
        "refused a malformed body on %s: %s (%d so far)", key[0], reason, refused_bodies[key]
    )
    return web.HTTPBadRequest(text=f"Malformed request body: {reason}.")


async def json_body(request: web.Request) -> Any:
    """The body parsed as JSON; `HTTPBadRequest` when it is not UTF-8 JSON."""
    if (request.charset or UTF_8).lower() != UTF_8:
        raise malformed(request, "not UTF-8")
    try:
        text = (await request.read()).decode(UTF_8)
    except UnicodeDecodeError:
        raise malformed(request, "not UTF-8") from None
    try:
        return json.loads(text)
    except RecursionError:
        raise malformed(request, "nested too deeply") from None
    except ValueError:
        # JSONDecodeError, or an integer longer than Python converts (4300 digits)
        raise malformed(request, "not JSON") from None


async def json_object(request: web.Request) -> dict[str, Any]:
    """The body as a JSON object; `HTTPBadRequest` when it is anything else."""
    body = await json_body(request)
    if not isinstance(body, dict):
        raise malformed(request, "not a JSON object")
    return body


async def form_body(
    request: web.Request,
) -> MultiDictProxy[str | bytes | bytearray | web.FileField]:
    """The body as a form (`request.post()`, cached for the handler after this);
    `HTTPBadRequest` when aiohttp cannot read it (bytes that are not in the form's charset, an
    unknown charset, broken multipart)."""
    try:
        return await request.post()
    except UnicodeDecodeError:
        raise malformed(request, "not in the form's charset") from None
    except LookupError:
        raise malformed(request, "an unknown charset") from None
    except ValueError:
        raise malformed(request, "not a form") from None
