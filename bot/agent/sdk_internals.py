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
  session when set).
- `PRODUCT_INFO_CALLERS`: the modules whose connector clients, made afresh for every activity,
  call `get_product_info` for their User-Agent (even when the session has one: it is the
  default of a `dict.get`). It asks `importlib.metadata` for the version of a distribution
  named `microsoft-agents-connector`, which is not installed under that name, so every call
  searches every entry of `sys.path` and fails: 13% of the bot's CPU under a flood of
  activities (two clients each), measured with py-spy. Its answer cannot change while the
  process runs, so `remember_product_info` works it out once and gives those modules the
  answer."""

from __future__ import annotations

from types import ModuleType
from typing import Final

from microsoft_agents.hosting.core.authorization._entra_issuers import BOTFRAMEWORK_JWKS_URIS
from microsoft_agents.hosting.core.connector.client import connector_client, user_token_client
from microsoft_agents.hosting.core.connector.get_product_info import get_product_info

MSAL_AUTH_HOOKS: Final = (
    "_create_client_application",
    "_resolve_authority",
    "_get_access_token",
    "_client_rep",
    "_msal_auth_client_map",
    "_msal_configuration",
)

PRODUCT_INFO_CALLERS: Final[tuple[ModuleType, ...]] = (connector_client, user_token_client)


def remember_product_info() -> None:
    """Have the SDK's connector clients take their User-Agent from one answer of
    `get_product_info` instead of asking it again each time."""
    product_info = get_product_info()

    def remembered() -> str:
        return product_info

    for module in PRODUCT_INFO_CALLERS:
        setattr(module, "get_product_info", remembered)  # noqa: B010 (a module's global)


__all__ = ["BOTFRAMEWORK_JWKS_URIS", "MSAL_AUTH_HOOKS", "PRODUCT_INFO_CALLERS"]
