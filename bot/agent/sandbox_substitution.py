"""What changes when the bot's tenant is the local sandbox (see `sandbox/README.md`, Bot
Framework): the channel's key set URL the Agents SDK hard-codes, and the msal application
behind its token provider, which must send its authority requests to the sandbox."""

from __future__ import annotations

from typing import Any

from bot.agent.sdk_internals import BOTFRAMEWORK_JWKS_URIS
from bot.agent.token_provider import OffLoopMsalAuth, TokenProviderFactory
from bot.graph.authority_session import authority_session
from bot.graph.config import GraphClientConfig

BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"


def use_sandbox_channel_keys(sandbox_origin: str) -> None:
    """Validate Bot Framework channel tokens against the sandbox's key set. The SDK's
    validator reads this dict on every token, so the change holds for every endpoint in the
    process (a process serves one tenant)."""
    origin = sandbox_origin.rstrip("/")
    BOTFRAMEWORK_JWKS_URIS[BOT_FRAMEWORK_ISSUER] = (
        f"{origin}/login.botframework.com/v1/.well-known/keys"
    )


def sandbox_token_providers(
    authority_host: str, sandbox_origin: str, credential: GraphClientConfig
) -> TokenProviderFactory:
    """Token providers whose msal application talks to the sandbox's Entra ID."""

    def http_client() -> Any:
        return authority_session(authority_host, sandbox_origin)

    def factory(configuration: Any) -> OffLoopMsalAuth:
        return OffLoopMsalAuth(configuration, credential=credential, http_client=http_client)

    return factory
