"""The Agents SDK's private members the bot relies on (`bot/agent/sdk_internals.py`) are where
the bot expects them. An SDK upgrade that moves or renames one fails here, by name, rather
than leaving the sandbox's keys unused, the channel guard reading the wrong key set, or the
token provider building its msal application on the event loop."""

from __future__ import annotations

import importlib.metadata
import inspect

import microsoft_agents.hosting.core.authorization.jwt.jwt_token_validator as validator
import pytest
from microsoft_agents.authentication.msal import MsalAuth
from microsoft_agents.hosting.core import AgentAuthConfiguration
from microsoft_agents.hosting.core.connector.get_product_info import get_product_info

from bot.agent.sdk_internals import (
    BOTFRAMEWORK_JWKS_URIS,
    MSAL_AUTH_HOOKS,
    PRODUCT_INFO_CALLERS,
    remember_product_info,
)

CHANNEL_ISSUER = "https://api.botframework.com"


def test_the_validator_reads_the_key_set_table_the_bot_changes() -> None:
    assert validator.BOTFRAMEWORK_JWKS_URIS is BOTFRAMEWORK_JWKS_URIS
    assert CHANNEL_ISSUER in BOTFRAMEWORK_JWKS_URIS
    source = inspect.getsource(validator._build_jwks_uri)
    assert "BOTFRAMEWORK_JWKS_URIS.get(iss)" in source


def test_msal_auth_still_has_every_member_the_token_provider_uses() -> None:
    auth = MsalAuth(
        AgentAuthConfiguration(
            client_id="00000000-0000-4000-8000-000000000001",
            tenant_id="00000000-0000-4000-8000-000000000002",
            client_secret="secret",
        )
    )
    missing = [name for name in MSAL_AUTH_HOOKS if not hasattr(auth, name)]
    assert missing == []
    assert "tenant_id" in inspect.signature(auth._create_client_application).parameters
    assert list(inspect.signature(auth._get_access_token).parameters) == [
        "resource_url",
        "scopes",
        "force_refresh",
    ]
    assert isinstance(auth._msal_auth_client_map, dict)
    assert auth._client_rep() == f"tenant:{auth._msal_configuration.TENANT_ID}.instance:None"


def test_the_connector_clients_take_their_user_agent_from_one_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The SDK's connector clients, made for every activity, still call the module's
    `get_product_info` (so giving them the remembered answer takes effect), and once it is
    remembered they no longer ask `importlib.metadata`, with the same User-Agent as before."""
    for module in PRODUCT_INFO_CALLERS:
        source = inspect.getsource(module)
        assert '"User-Agent": session.headers.get("User-Agent", get_product_info())' in source
    expected = get_product_info()
    remember_product_info()
    asked: list[str] = []

    def version(name: str) -> str:
        asked.append(name)
        return "0"

    monkeypatch.setattr(importlib.metadata, "version", version)
    assert [module.get_product_info() for module in PRODUCT_INFO_CALLERS] == [expected] * 2
    assert asked == []
