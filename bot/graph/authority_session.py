"""A `requests` session for msal that sends requests meant for the Entra authority host to
another base URL (a local stand-in tenant), leaving the URLs msal sees untouched."""

from __future__ import annotations

from typing import Any

import requests
from requests.adapters import HTTPAdapter

DEFAULT_TIMEOUT_SECONDS = 30.0


class _RewritingAdapter(HTTPAdapter):
    def __init__(self, prefix: str, replacement: str) -> None:
        super().__init__(max_retries=1)
        self._prefix = prefix
        self._replacement = replacement

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        if request.url is not None and request.url.startswith(self._prefix):
            request.url = self._replacement + request.url[len(self._prefix) :]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = DEFAULT_TIMEOUT_SECONDS
        return super().send(request, *args, **kwargs)


def authority_session(authority_host: str, rewrite_to: str) -> requests.Session:
    """A session whose requests to `authority_host` (an origin) go to `rewrite_to`."""
    prefix = authority_host.rstrip("/") + "/"
    session = requests.Session()
    session.mount(prefix, _RewritingAdapter(prefix, rewrite_to.rstrip("/") + "/"))
    return session
