"""The private members of the Microsoft 365 Agents SDK (1.9.0) the bot relies on, named here
and nowhere else, so that an SDK upgrade which moves one fails `tests/agent/test_sdk_internals.py`
loudly instead of the bot failing quietly. The SDK offers no setting for either need:
`AgentAuthConfiguration` has no key set or OpenID metadata URL, and `MsalAuth` no
`http_client` or application factory.

- `BOTFRAMEWORK_JWKS_URIS`: the JWT validator's table of Bot Framework issuer to key set URL,
  read on every token. `IASS_BOT_FRAMEWORK_KEYS_URL` sets the channel issuer's entry
  (`channel_endpoints`); the channel guard reads the same table to find the endorsements of
  the key the SDK checked the signature with (`channel_endorsements`).
- `MSAL_AUTH_HOOKS`: the members of `MsalAuth` that `token_provider.OffLoopMsalAuth` overrides
  or calls (building the msal application off the event loop, with `IASS_AUTHORITY_ENDPOINT`'s
  session when set)."""

from __future__ import annotations

from typing import Final

from microsoft_agents.hosting.core.authorization._entra_issuers import BOTFRAMEWORK_JWKS_URIS

MSAL_AUTH_HOOKS: Final = (
    "_create_client_application",
    "_resolve_authority",
    "_get_access_token",
    "_client_rep",
    "_msal_auth_client_map",
    "_msal_configuration",
)

__all__ = ["BOTFRAMEWORK_JWKS_URIS", "MSAL_AUTH_HOOKS"]
