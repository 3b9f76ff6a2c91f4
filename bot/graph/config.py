"""Where the bot's Graph client gets its tokens and sends its requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True, slots=True)
class GraphClientConfig:
    """App-only access to Graph for one tenant.

    `authority_host` stays an https Entra host (msal refuses anything else); to use a local
    stand-in such as the sandbox, set `authority_rewrite_to` to its base URL and msal's
    requests for `authority_host` go there instead. `graph_base_url` must be https or an
    http loopback URL (the only plain-http hosts msgraph-sdk will send a token to).
    """

    tenant_id: str
    client_id: str
    client_secret: str = field(repr=False)
    authority_host: str = "https://login.microsoftonline.com"
    graph_base_url: str = "https://graph.microsoft.com/v1.0"
    graph_scope: str = "https://graph.microsoft.com/.default"
    authority_rewrite_to: str | None = None

    def __post_init__(self) -> None:
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
