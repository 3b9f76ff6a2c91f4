"""The product's Graph client factory and msal credential (bot/graph), including the
msgraph-sdk trap it avoids: a host missing from `allowed_hosts` gets no token at all."""

from __future__ import annotations

import httpx
import pytest
from azure.core.exceptions import ClientAuthenticationError
from kiota_authentication_azure.azure_identity_authentication_provider import (
    AzureIdentityAuthenticationProvider,
)
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.graph_request_adapter import GraphRequestAdapter
from msgraph.graph_service_client import GraphServiceClient

from bot.graph.client import create_graph_client, graph_http_client
from bot.graph.config import GraphClientConfig
from bot.graph.credential import MsalAppCredential
from sandbox.seed import COORDINATOR
from tests.sandbox.conftest import RunningSandbox


def test_the_config_refuses_what_msal_or_msgraph_would_refuse_later() -> None:
    with pytest.raises(ValueError, match="authority_host"):
        GraphClientConfig("t", "c", "s", authority_host="http://login.example")
    with pytest.raises(ValueError, match="graph_base_url"):
        GraphClientConfig("t", "c", "s", graph_base_url="http://sandbox.internal/v1.0")
    config = GraphClientConfig("t", "c", "hush-hush", graph_base_url="http://127.0.0.1:8/v1.0/")
    assert config.graph_host == "127.0.0.1"
    assert config.graph_base_url_without_slash == "http://127.0.0.1:8/v1.0"
    assert "hush-hush" not in repr(config)


async def test_the_client_has_a_slashless_base_url_and_the_graph_host_allowed(
    graph_config: GraphClientConfig,
) -> None:
    async with MsalAppCredential(graph_config) as credential:
        http_client = graph_http_client()
        client = create_graph_client(graph_config, credential, http_client)
        adapter = client.request_adapter
        assert adapter.base_url == graph_config.graph_base_url
        assert not adapter.base_url.endswith("/")
        provider = adapter._authentication_provider
        assert provider.access_token_provider.get_allowed_hosts_validator().get_allowed_hosts() == [
            "127.0.0.1"
        ]
        await http_client.aclose()


async def test_a_host_outside_allowed_hosts_silently_gets_no_token(
    graph_config: GraphClientConfig, sandbox: RunningSandbox
) -> None:
    async with MsalAppCredential(graph_config) as credential:
        provider = AzureIdentityAuthenticationProvider(
            credential,
            scopes=[graph_config.graph_scope],
            allowed_hosts=["graph.microsoft.com"],
        )
        async with httpx.AsyncClient() as http_client:
            adapter = GraphRequestAdapter(provider, client=http_client)
            adapter.base_url = sandbox.graph_base_url
            client = GraphServiceClient(request_adapter=adapter)
            with pytest.raises(ODataError) as refused:
                await (
                    client.users.by_user_id(COORDINATOR.object_id)
                    .online_meetings.by_online_meeting_id("any")
                    .get()
                )
    assert refused.value.response_status_code == 401
    assert refused.value.error is not None
    assert refused.value.error.message == "Access token is empty."


async def test_the_credential_reports_a_refused_secret(graph_config: GraphClientConfig) -> None:
    wrong = GraphClientConfig(
        graph_config.tenant_id,
        graph_config.client_id,
        "wrong",
        graph_base_url=graph_config.graph_base_url,
        authority_rewrite_to=graph_config.authority_rewrite_to,
    )
    async with MsalAppCredential(wrong) as credential:
        with pytest.raises(ClientAuthenticationError, match="AADSTS7000215"):
            await credential.get_token(graph_config.graph_scope)
