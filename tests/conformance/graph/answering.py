"""Graph answered by Microsoft's documented bodies, in order, for the bot's own msgraph-sdk
client (`bot.graph.meetings.OnlineMeetings`); the requests are kept."""

from __future__ import annotations

import httpx
from kiota_abstractions.authentication.anonymous_authentication_provider import (
    AnonymousAuthenticationProvider,
)
from msgraph.graph_request_adapter import GraphRequestAdapter
from msgraph.graph_service_client import GraphServiceClient

from bot.graph.meetings import OnlineMeetings

BASE = "https://graph.microsoft.com/v1.0"
ORGANISER = "11111111-aaaa-4bbb-8ccc-000000000001"


class DocumentedGraph:
    """Answers each request with the next of `answers` (status and JSON body, or no body);
    the last answers every request after it."""

    def __init__(self, *answers: tuple[int, object]) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def _answer(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        status, body = self.answers[min(len(self.requests), len(self.answers)) - 1]
        if body is None:
            return httpx.Response(status)
        return httpx.Response(status, json=body)

    def meetings(self) -> OnlineMeetings:
        client = httpx.AsyncClient(transport=httpx.MockTransport(self._answer))
        adapter = GraphRequestAdapter(AnonymousAuthenticationProvider(), client=client)
        adapter.base_url = BASE
        return OnlineMeetings(GraphServiceClient(request_adapter=adapter), "app", BASE)
