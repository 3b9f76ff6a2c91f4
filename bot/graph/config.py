"""Where the bot's Graph client gets its tokens and sends its requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True, slots=True)
class CertificateFile:
    """A certificate uploaded to the app registration, with its private key: a PEM file
    holding the key and the certificate, or a PKCS#12 (.pfx or .p12) file."""

    path: Path
    password: str = field(default="", repr=False)

    @property
    def is_pkcs12(self) -> bool:
        return self.path.suffix.lower() in {".pfx", ".p12"}


@dataclass(frozen=True, slots=True)
class ManagedIdentityFederation:
    """A managed identity the app registration trusts through a federated identity credential
    (issuer the tenant's v2.0 issuer, subject the identity's object id, audience
    `api://AzureADTokenExchange`). `client_id` is a user-assigned identity's client id; empty
    means the host's system-assigned identity."""

    client_id: str = ""


@dataclass(frozen=True, slots=True)
class GraphClientConfig:
    """App-only access to Graph for one tenant.

    `authority_host` stays an https Entra host (msal refuses anything else); to use a local
    stand-in such as the sandbox, set `authority_rewrite_to` to its base URL and msal's
    requests for `authority_host` go there instead. `graph_base_url` must be https or an
    http loopback URL (the only plain-http hosts msgraph-sdk will send a token to).

    The app proves itself to Entra ID with exactly one of `client_secret`, `certificate` or
    `managed_identity` (see `bot/graph/credential.py`).
    """

    tenant_id: str
    client_id: str
    client_secret: str = field(default="", repr=False)
    authority_host: str = "https://login.microsoftonline.com"
    graph_base_url: str = "https://graph.microsoft.com/v1.0"
    graph_scope: str = "https://graph.microsoft.com/.default"
    authority_rewrite_to: str | None = None
    certificate: CertificateFile | None = None
    managed_identity: ManagedIdentityFederation | None = None

    def __post_init__(self) -> None:
        chosen = [
            bool(self.client_secret),
            self.certificate is not None,
            self.managed_identity is not None,
        ]
        if sum(chosen) != 1:
            raise ValueError(
                "exactly one credential is needed: a client secret, a certificate or a "
                "managed identity"
            )
        authority = urlsplit(self.authority_host)
        if authority.scheme != "https" or not authority.hostname or authority.path.strip("/"):
            raise ValueError(
                "authority_host must be an https origin, such as https://login.microsoftonline.com"
            )
        graph = urlsplit(self.graph_base_url)
        if not graph.hostname or not (
            graph.scheme == "https" or (graph.scheme == "http" and graph.hostname in LOOPBACK_HOSTS)
        ):
            raise ValueError("graph_base_url must be https, or http on a loopback address")
        rewrite = self.authority_rewrite_to
        if rewrite is not None and urlsplit(rewrite).scheme not in {"http", "https"}:
            raise ValueError("authority_rewrite_to must be an http or https URL")

    @property
    def authority(self) -> str:
        return f"{self.authority_host.rstrip('/')}/{self.tenant_id}"

    @property
    def graph_host(self) -> str:
        return urlsplit(self.graph_base_url).hostname or ""

    @property
    def graph_base_url_without_slash(self) -> str:
        return self.graph_base_url.rstrip("/")
