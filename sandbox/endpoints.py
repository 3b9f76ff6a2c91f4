"""The endpoint settings that point a deployment at this sandbox instead of Microsoft 365.

A real tenant is reached through the same settings with Microsoft's addresses (their defaults
in `bot.config.TenantSettings`); the sandbox answers each under its own origin, with the real
host's name as the first path segment where Microsoft's address has a host of its own. This
is the sandbox's side of the contract, like the addresses a tenant's documentation gives.
"""

from __future__ import annotations

from sandbox.botframework.metadata import CALLING_PREFIX, CHANNEL_PREFIX


def tenant_endpoints(origin: str) -> dict[str, str]:
    """The tenant settings, by field name, for the sandbox served at `origin`."""
    base = origin.rstrip("/")
    return {
        "authority_endpoint": base,
        "graph_base_url": f"{base}/v1.0",
        "bot_framework_keys_url": f"{base}{CHANNEL_PREFIX}/keys",
        "calling_openid_url": calling_openid_url(base),
        "teams_service_url": f"{base}/connector/",
        "teams_web_url": base,
    }


def environment(origin: str) -> dict[str, str]:
    """The same settings as environment variables, for a bot started as its own process."""
    return {f"IASS_{name.upper()}": value for name, value in tenant_endpoints(origin).items()}


def calling_openid_url(origin: str) -> str:
    """Where the sandbox's calling service publishes its OpenID configuration."""
    return f"{origin.rstrip('/')}{CALLING_PREFIX}/.well-known/OpenIdConfiguration"
