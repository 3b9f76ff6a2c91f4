"""What the Teams app package is built from: explicit, checked values and the addresses they imply.

The bot's Microsoft Entra application (client) ID is also the Teams app ID: Microsoft's manifest
reference says to use the bot's ID when the app has a bot, and resource-specific consent needs a
one-to-one mapping between a Teams app and its Entra app.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from urllib.parse import SplitResult, urlsplit

APP_NAME_LIMIT = 30
"""The manifest's limit on `name.short`."""

_GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_NIL_GUID = "00000000-0000-0000-0000-000000000000"
_SEMVER = re.compile(r"(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)")


class ManifestInputError(ValueError):
    """An input the package cannot be built from; `field` names the `ManifestInputs` field."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field} {problem}")
        self.field = field
        self.problem = problem


@dataclass(frozen=True, slots=True)
class ManifestInputs:
    """Everything the manifest says, checked on construction (raises `ManifestInputError`).

    Names and descriptions derived from the service profile are shortened to the manifest's
    limits when rendered; `app_name` is chosen by whoever deploys, so it must fit as given.
    """

    app_id: str
    version: str
    public_url: str
    app_name: str
    service_name: str
    service_short_name: str
    what_we_do: str
    phone: str
    email: str
    website: str
    privacy_url: str
    terms_url: str

    def __post_init__(self) -> None:
        for item in fields(self):
            if not getattr(self, item.name).strip():
                raise ManifestInputError(item.name, "is not set")
        if not _GUID.fullmatch(self.app_id):
            raise ManifestInputError(
                "app_id",
                f"must be a GUID such as 6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d, not {self.app_id!r}",
            )
        if self.app_id == _NIL_GUID:
            raise ManifestInputError(
                "app_id", "is the all-zero placeholder, not the bot's application (client) ID"
            )
        if not _SEMVER.fullmatch(self.version):
            raise ManifestInputError(
                "version", f"must be MAJOR.MINOR.PATCH such as 1.0.0, not {self.version!r}"
            )
        if len(self.app_name) > APP_NAME_LIMIT:
            raise ManifestInputError(
                "app_name",
                f"has {len(self.app_name)} characters; Teams allows {APP_NAME_LIMIT}",
            )
        _check_public_url(self.public_url)
        for name in ("website", "privacy_url", "terms_url"):
            _https_parts(name, getattr(self, name))

    @property
    def base_url(self) -> str:
        """The public URL without a trailing slash."""
        return self.public_url.rstrip("/")

    @property
    def host(self) -> str:
        """The bot's public host name: the app's only valid domain."""
        return urlsplit(self.public_url).hostname or ""

    @property
    def tab_url(self) -> str:
        """The staff's personal "Meetings" tab; `inTeams=1` makes the bot sign staff in with
        Teams single sign-on instead of the browser sign-in, which cannot run in Teams' iframe."""
        return f"{self.base_url}/tab?inTeams=1"

    @property
    def sso_resource(self) -> str:
        """The Application ID URI Teams asks Entra for when the tab signs in (tab SSO)."""
        return f"api://{self.host}/{self.app_id}"


def _https_parts(field: str, url: str) -> SplitResult:
    """`url` split into its parts, or `ManifestInputError` unless it is https on the usual port."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise ManifestInputError(field, f"is not a valid URL: {url!r}") from error
    if parts.scheme != "https" or not parts.hostname:
        raise ManifestInputError(field, f"must be an https:// URL, not {url!r}")
    if port not in (None, 443):
        raise ManifestInputError(field, f"must use the standard https port 443, not {url!r}")
    return parts


def _check_public_url(url: str) -> None:
    parts = _https_parts("public_url", url)
    if parts.username is not None or parts.query or parts.fragment:
        raise ManifestInputError(
            "public_url",
            f"must be a plain base URL without credentials, query or fragment: {url!r}",
        )
