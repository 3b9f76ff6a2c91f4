"""Graph's error shape: `{"error": {"code", "message", "innerError": {"date", "request-id",
"client-request-id"}}}`, raised by handlers as `GraphError` and rendered by middleware."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from aiohttp import web

REQUEST_ID = web.RequestKey("sandbox_graph_request_id", str)
CLIENT_REQUEST_ID = web.RequestKey("sandbox_graph_client_request_id", str)


class GraphError(Exception):
    def __init__(
        self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})


def not_found(message: str = "The requested resource was not found.") -> GraphError:
    return GraphError(404, "ResourceNotFound", message)


def bad_request(message: str) -> GraphError:
    return GraphError(400, "BadRequest", message)


def error_response(request: web.Request, error: GraphError, now: datetime) -> web.Response:
    body = {
        "error": {
            "code": error.code,
            "message": error.message,
            "innerError": {
                "date": now.strftime("%Y-%m-%dT%H:%M:%S"),
                "request-id": request[REQUEST_ID],
                "client-request-id": request[CLIENT_REQUEST_ID],
            },
        }
    }
    return web.json_response(body, status=error.status, headers=error.headers)
