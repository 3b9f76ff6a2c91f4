"""The Agents SDK's two fixed addresses, made settings: the key set it checks Bot Framework
channel tokens against, and where its msal application sends authority requests (see
`bot.config.TenantSettings`; a stand-in tenant such as `sandbox/` sets both)."""

from __future__ import annotations

from typing import Any

from bot.agent.sdk_internals import BOTFRAMEWORK_JWKS_URIS
from bot.agent.token_provider import OffLoopMsalAuth, TokenProviderFactory
from bot.graph.authority_session import authority_session
from bot.graph.config import GraphClientConfig

BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"


def use_channel_keys(keys_url: str) -> None:
    """Validate Bot Framework channel tokens against the key set at `keys_url` (by default
    the one the SDK names). The SDK's validator reads this dict on every token, so the
    setting holds for every endpoint in the process (a process serves one tenant)."""
    BOTFRAMEWORK_JWKS_URIS[BOT_FRAMEWORK_ISSUER] = keys_url


def rerouted_token_providers(
    authority_host: str, authority_endpoint: str, credential: GraphClientConfig
) -> TokenProviderFactory:
    """Token providers whose msal application sends its requests for `authority_host` to
    `authority_endpoint`."""

    def http_client() -> Any:
        return authority_session(authority_host, authority_endpoint)

    def factory(configuration: Any) -> OffLoopMsalAuth:
        return OffLoopMsalAuth(configuration, credential=credential, http_client=http_client)

    return factory
