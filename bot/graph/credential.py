"""How the app proves itself to Entra ID, and an azure-core `AsyncTokenCredential` that gets
app-only tokens (client credentials) from msal's `ConfidentialClientApplication`, which caches
and renews them.

`msal_client_credential` turns the configured credential into msal's `client_credential`, the
one place the three choices differ (Graph, the Bot Connector and the staff sign-in all use it):
- a client secret, as a string;
- a certificate (https://learn.microsoft.com/entra/identity-platform/certificate-credentials):
  a PEM file's key and certificate, or a PKCS#12 file, from which msal signs a PS256 client
  assertion naming the certificate by its SHA-256 thumbprint (`x5t#S256`);
- a managed identity through a federated identity credential
  (https://learn.microsoft.com/entra/workload-id/workload-identity-federation-config-app-trust-managed-identity):
  msal's `ManagedIdentityClient` gets the identity a token for `api://AzureADTokenExchange`
  from the host's identity endpoint (App Service sets `IDENTITY_ENDPOINT` and
  `IDENTITY_HEADER`), and that token is the client assertion.
Nothing here puts a secret, key or token into a log line or an error message.

msal is synchronous and fetches the tenant's OpenID configuration in its constructor, so
the application is built, and every token requested, on a worker thread. A token is held
until five minutes before it expires, so most Graph requests need no thread hop at all."""

from __future__ import annotations

import asyncio
import re
import time
from types import TracebackType
from typing import Any, Self

import msal  # type: ignore[import-untyped]
import requests
from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError

from bot.graph.authority_session import authority_session
from bot.graph.config import CertificateFile, GraphClientConfig, ManagedIdentityFederation

RENEW_BEFORE = 300
"""Seconds before expiry at which a held token is renewed through msal."""
TOKEN_EXCHANGE_RESOURCE = "api://AzureADTokenExchange"  # noqa: S105 (an audience)
"""The audience of a managed identity's token used as a federated client assertion."""
IDENTITY_TIMEOUT_SECONDS = 30.0
_PEM_BLOCK = re.compile(
    r"-----BEGIN (?P<label>[A-Z ]+)-----[^-]+-----END (?P=label)-----", re.ASCII
)


def _pem_credential(certificate: CertificateFile) -> dict[str, Any]:
    try:
        text = certificate.path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(
            f"IASS_BOT_CERTIFICATE_PATH: cannot read the certificate file ({type(error).__name__})"
        ) from None
    blocks = {match["label"]: match[0] for match in reversed(list(_PEM_BLOCK.finditer(text)))}
    key = next((block for label, block in blocks.items() if label.endswith("PRIVATE KEY")), None)
    public = blocks.get("CERTIFICATE")
    if key is None or public is None:
        raise ValueError(
            "IASS_BOT_CERTIFICATE_PATH: the PEM file must hold the private key and the certificate"
        )
    credential: dict[str, Any] = {"private_key": key, "public_certificate": public}
    if certificate.password:
        credential["passphrase"] = certificate.password
    return credential


def _pkcs12_credential(certificate: CertificateFile) -> dict[str, Any]:
    if not certificate.path.is_file():
        raise ValueError("IASS_BOT_CERTIFICATE_PATH: the certificate file does not exist")
    credential: dict[str, Any] = {"private_key_pfx_path": str(certificate.path)}
    if certificate.password:
        credential["passphrase"] = certificate.password
    return credential


class ManagedIdentityAssertion:
    """msal's client assertion callback: the managed identity's token for the token-exchange
    audience, from msal's `ManagedIdentityClient` (which holds it until it nears expiry)."""

    def __init__(self, federation: ManagedIdentityFederation) -> None:
        identity: Any = (
            msal.UserAssignedManagedIdentity(client_id=federation.client_id)
            if federation.client_id
            else msal.SystemAssignedManagedIdentity()
        )
        self._session = requests.Session()
        self._client = msal.ManagedIdentityClient(
            identity, http_client=_TimeoutSession(self._session)
        )

    def __call__(self) -> str:
        result: dict[str, Any] = self._client.acquire_token_for_client(
            resource=TOKEN_EXCHANGE_RESOURCE
        )
        token = result.get("access_token")
        if not isinstance(token, str):
            raise ClientAuthenticationError(
                message=f"the managed identity got no token: {result.get('error')}"
            )
        return token


class _TimeoutSession:
    """A `requests` session for msal's managed identity client that never waits forever."""

    def __init__(self, session: requests.Session) -> None:
        self._session = session

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", IDENTITY_TIMEOUT_SECONDS)
        return self._session.get(url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", IDENTITY_TIMEOUT_SECONDS)
        return self._session.post(url, **kwargs)

    def close(self) -> None:
        self._session.close()


def msal_client_credential(config: GraphClientConfig) -> str | dict[str, Any]:
    """msal's `client_credential` for the configured credential. `ValueError` says what is
    wrong with a certificate file, without its contents."""
    if config.certificate is not None:
        if config.certificate.is_pkcs12:
            return _pkcs12_credential(config.certificate)
        return _pem_credential(config.certificate)
    if config.managed_identity is not None:
        return {"client_assertion": ManagedIdentityAssertion(config.managed_identity)}
    return config.client_secret


class MsalAppCredential:
    """App-only tokens for `config`'s app in `config`'s tenant. Continuous access
    evaluation is not requested (msal gets no client capabilities), so `enable_cae` and
    `claims` have nothing to add to app-only tokens beyond being passed through."""

    def __init__(self, config: GraphClientConfig) -> None:
        self._config = config
        self._lock = asyncio.Lock()
        self._app: Any = None
        self._session: requests.Session | None = None
        self._tokens: dict[tuple[str, ...], AccessToken] = {}

    async def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        if tenant_id is not None and tenant_id != self._config.tenant_id:
            raise ValueError("this credential serves only its configured tenant")
        key = tuple(sorted(scopes))
        held = self._tokens.get(key)
        if claims is None and held is not None and held.expires_on - time.time() > RENEW_BEFORE:
            return held
        app = await self._msal_app()
        result: dict[str, Any] = await asyncio.to_thread(
            app.acquire_token_for_client, list(scopes), claims_challenge=claims
        )
        token = result.get("access_token")
        if not isinstance(token, str):
            raise ClientAuthenticationError(
                message=f"{result.get('error')}: {result.get('error_description')}"
            )
        fresh = AccessToken(token, int(time.time()) + int(result["expires_in"]))
        self._tokens[key] = fresh
        return fresh

    async def _msal_app(self) -> Any:
        async with self._lock:
            if self._app is None:
                self._app = await asyncio.to_thread(self._build_app)
            return self._app

    def _build_app(self) -> Any:
        config = self._config
        if config.authority_rewrite_to is not None:
            self._session = authority_session(config.authority_host, config.authority_rewrite_to)
        return msal.ConfidentialClientApplication(
            config.client_id,
            client_credential=msal_client_credential(config),
            authority=config.authority,
            http_client=self._session,
        )

    async def close(self) -> None:
        if self._session is not None:
            self._session.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        await self.close()
