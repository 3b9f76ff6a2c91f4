"""Graph's answers read as JSON, for requests the bot sends itself through msgraph-sdk's
request adapter.

Why: msgraph-sdk turns an answer into its model before anyone reads it, and for some answers
that costs more than the request (Entity's field table runs about a thousand imports each
time), or fails on values the bot never reads. Where the bot needs a few properties, it sends
the request the generated builder made, through the same adapter (authentication, retries,
`fail_fast`), reads the answer's JSON, and checks every value it takes. Error answers are
parsed as msgraph-sdk parses them (`GRAPH_ERRORS`), so callers catch the same `ODataError`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from bot.graph.errors import GRAPH_ERRORS

if TYPE_CHECKING:
    from kiota_abstractions.request_information import RequestInformation
    from msgraph.graph_service_client import GraphServiceClient


async def answer_bytes(graph: GraphServiceClient, request: RequestInformation) -> bytes | None:
    """Graph's answer to `request` as bytes (None without a body)."""
    adapter: Any = graph.request_adapter
    body: bytes | None = await adapter.send_primitive_async(request, "bytes", GRAPH_ERRORS)
    return body


async def answer_json(graph: GraphServiceClient, request: RequestInformation) -> object:
    """Graph's answer to `request` as JSON (None without a body)."""
    body = await answer_bytes(graph, request)
    return json.loads(body) if body else None
