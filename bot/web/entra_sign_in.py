"""Staff sign-in with Entra ID through msal: the authorisation-code flow with PKCE and a nonce,
answered by form post (`response_mode="form_post"`), so the code never sits in a URL.

msal is synchronous and fetches the tenant's OpenID configuration when it is built, so the
application is built, and codes are redeemed, on a worker thread. Sign-in asks for no refresh
token and the application forgets every token it receives: the bot keeps no staff tokens."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests

from bot.graph.config import GraphClientConfig
from bot.graph.credential import msal_client_credential


class SignInUnavailable(Exception):
    """Entra ID could not be reached, or its configuration could not be read."""


class SignInFailed(Exception):
    """The sign-in did not complete: declined, expired, replayed or tampered with. The message
    is an error code or a short reason, never personal data."""


@dataclass(frozen=True)
class StartedSignIn:
    """Where to send the browser, and msal's record of the flow (state, nonce, PKCE verifier)
    to keep until the answer comes back."""

    auth_uri: str
    flow: dict[str, Any]


class EntraSignIn:
    def __init__(
        self, config: GraphClientConfig, http: requests.Session, redirect_uri: str
    ) -> None:
        self._config = config
        self._http = http
        self._redirect_uri = redirect_uri
        self._lock = asyncio.Lock()
        self._app: Any = None

    async def start(self) -> StartedSignIn:
        app = await self._msal_app()
        flow: dict[str, Any] = app.initiate_auth_code_flow(
            [], redirect_uri=self._redirect_uri, response_mode="form_post"
        )
        auth_uri = flow.pop("auth_uri")
        return StartedSignIn(auth_uri=auth_uri, flow=flow)

    async def finish(self, flow: Mapping[str, Any], answer: Mapping[str, str]) -> str:
        """Redeem the code in `answer` (the form Entra posted) and return the ID token, not yet
        validated. Raises `SignInFailed` or `SignInUnavailable`."""
        if "error" in answer:
            raise SignInFailed(answer["error"])
        app = await self._msal_app()
        try:
            result = await asyncio.to_thread(_redeem, app, dict(flow), dict(answer))
        except requests.RequestException as error:
            raise SignInUnavailable(type(error).__name__) from error
        except (ValueError, RuntimeError) as error:
            raise SignInFailed("state or nonce does not match") from error
        id_token = result.get("id_token")
        if not isinstance(id_token, str):
            raise SignInFailed(str(result.get("error", "no ID token")))
        return id_token

    async def _msal_app(self) -> Any:
        async with self._lock:
            if self._app is None:
                try:
                    self._app = await asyncio.to_thread(self._build_app)
                except (requests.RequestException, ValueError) as error:
                    raise SignInUnavailable(type(error).__name__) from error
            return self._app

    def _build_app(self) -> Any:
        import msal  # type: ignore[import-untyped]

        config = self._config
        return msal.ConfidentialClientApplication(
            config.client_id,
            client_credential=msal_client_credential(config),
            authority=config.authority,
            http_client=self._http,
            exclude_scopes=["offline_access"],
        )


def _redeem(app: Any, flow: dict[str, Any], answer: dict[str, str]) -> dict[str, Any]:
    result: dict[str, Any] = app.acquire_token_by_auth_code_flow(flow, answer)
    for account in app.get_accounts():
        app.remove_account(account)
    return result
