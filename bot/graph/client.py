"""The factory for the bot's `GraphServiceClient`.

Three msgraph-sdk details matter off the default Graph host: the request adapter's
`base_url` is set explicitly without a trailing slash (httpx adds one to a client's base
URL); the auth provider's `allowed_hosts` names the Graph host (any other host silently
gets no Authorization header); and the httpx client is built by
`GraphClientFactory.create_with_default_middleware` with msgraph's own request options, so
retry (429/503/504 with Retry-After), redirect and the `/me` URL rewrite stay in place. Each
error answer that comes out of that pipeline is counted by its status (`iass.graph.errors`).

msgraph-sdk is large and slow to import, so it is imported only when a client is built.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from bot import instruments
from bot.graph.config import GraphClientConfig
from bot.graph.credential import MsalAppCredential

if TYPE_CHECKING:
    import httpx
    from azure.core.credentials_async import AsyncTokenCredential
    from msgraph.graph_service_client import GraphServiceClient


async def _count_error(response: httpx.Response) -> None:
    if response.status_code >= 400:
        instruments.graph_error(response.status_code, response.request.method)


def graph_http_client() -> httpx.AsyncClient:
    """An httpx client with msgraph-sdk's default middleware pipeline, counting Graph's error
    answers."""
    from kiota_http.kiota_client_factory import KiotaClientFactory
    from msgraph.graph_request_adapter import options as msgraph_request_options
    from msgraph_core import GraphClientFactory  # type: ignore[import-untyped]

    client: httpx.AsyncClient = GraphClientFactory.create_with_default_middleware(
        client=KiotaClientFactory.get_default_client(), options=msgraph_request_options
    )
    hooks = client.event_hooks
    client.event_hooks = {**hooks, "response": [*hooks.get("response", []), _count_error]}
    return client


def create_graph_client(
    config: GraphClientConfig,
    credential: AsyncTokenCredential,
    http_client: httpx.AsyncClient,
) -> GraphServiceClient:
    """A client for `config.graph_base_url` using `credential` for `config.graph_scope`.
    The caller owns (and closes) the credential and the http client."""
    from kiota_authentication_azure.azure_identity_authentication_provider import (
        AzureIdentityAuthenticationProvider,
    )
    from msgraph.graph_request_adapter import GraphRequestAdapter
    from msgraph.graph_service_client import GraphServiceClient

    auth_provider = AzureIdentityAuthenticationProvider(
        credential,
        scopes=[config.graph_scope],
        allowed_hosts=[config.graph_host],
        is_cae_enabled=False,
    )
    adapter = GraphRequestAdapter(auth_provider, client=http_client)
    adapter.base_url = config.graph_base_url_without_slash
    return GraphServiceClient(request_adapter=adapter)


@asynccontextmanager
async def open_graph_client(config: GraphClientConfig) -> AsyncIterator[GraphServiceClient]:
    """A Graph client with its own msal credential and http client, closed on exit."""
    credential = MsalAppCredential(config)
    http_client = graph_http_client()
    try:
        yield create_graph_client(config, credential, http_client)
    finally:
        await http_client.aclose()
        await credential.close()
