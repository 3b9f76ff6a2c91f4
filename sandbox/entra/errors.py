"""OAuth 2.0 error responses as Entra ID writes them, with AADSTS codes."""

from __future__ import annotations

import html
from datetime import datetime

from aiohttp import web

from sandbox.ids import new_guid


class EntraError(Exception):
    """An error the token or authorize endpoint reports with an AADSTS code."""

    def __init__(self, status: int, error: str, aadsts: int, description: str) -> None:
        super().__init__(f"AADSTS{aadsts}: {description}")
        self.status = status
        self.error = error
        self.aadsts = aadsts
        self.description = description


def _described(error: EntraError, now: datetime) -> tuple[str, str, str]:
    trace_id, correlation_id = new_guid(), new_guid()
    text = (
        f"AADSTS{error.aadsts}: {error.description} Trace ID: {trace_id} "
        f"Correlation ID: {correlation_id} Timestamp: {now:%Y-%m-%d %H:%M:%SZ}"
    )
    return text, trace_id, correlation_id


def token_error_response(error: EntraError, now: datetime) -> web.Response:
    """The JSON body the token endpoint returns."""
    text, trace_id, correlation_id = _described(error, now)
    return web.json_response(
        {
            "error": error.error,
            "error_description": text,
            "error_codes": [error.aadsts],
            "timestamp": f"{now:%Y-%m-%d %H:%M:%SZ}",
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": f"https://login.microsoftonline.com/error?code={error.aadsts}",
        },
        status=error.status,
    )


def sign_in_error_page(error: EntraError, now: datetime) -> web.Response:
    """The page Entra shows when it cannot send the error back to the app."""
    text, _, _ = _described(error, now)
    body = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Sign in to your account</title></head><body>"
        "<h1>Sorry, but we're having trouble signing you in.</h1>"
        f"<p>{html.escape(text)}</p></body></html>"
    )
    return web.Response(text=body, status=error.status, content_type="text/html")
