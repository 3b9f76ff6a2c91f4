"""Settings read from the environment (and the `.env` that `bot.settings_file` finds), with the
service profile.

Every setting is documented in the README with its default. Names are upper-case with the
`IASS_` prefix; a value in the environment wins over one in `.env`.
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from bot.graph.config import CertificateFile, GraphClientConfig, ManagedIdentityFederation
from bot.settings_file import FOUND, InstallationSettings, settings_folder
from consent_store.keys import KeyRing, parse_key_ring


class ServiceProfile(InstallationSettings):
    """Who the service is: what the bot says about it and where it sends people."""

    model_config = SettingsConfigDict(env_prefix="IASS_SERVICE_", env_file=FOUND, extra="ignore")

    name: str = "Westmorland and Furness SEND Information, Advice and Support Service"
    short_name: str = "Westmorland and Furness SEND IASS"
    what_we_do: str = (
        "Impartial and confidential information, advice and support service for parent carers "
        "and children and young people with special educational needs and disabilities."
    )
    phone: str = "0300 373 3300"
    email: str = "sendiass@westmorlandandfurness.gov.uk"
    website: str = "https://sendiass.westmorlandandfurness.gov.uk"
    privacy_url: str = ""
    recording_audience: str = "the people invited to the meeting and the service's staff"
    recording_kept_for: str = "120 days"
    document_audience: str = "the people at the meeting"
    brand_colour: str = "#0b4f4c"
    """The council's colour for the staff pages' header and banners (#rrggbb). White text is
    written on it, so it must contrast with white at least 4.5 to 1 (WCAG 2.2 AA)."""

    @field_validator("brand_colour")
    @classmethod
    def _readable_under_white_text(cls, colour: str) -> str:
        return readable_brand_colour(colour)

    @property
    def privacy_notice(self) -> str:
        """Where the service's privacy notice is: IASS_SERVICE_PRIVACY_URL, else the website."""
        return self.privacy_url.strip() or self.website


def readable_brand_colour(colour: str) -> str:
    """`colour` if it is #rrggbb and white text on it has a contrast of at least 4.5:1."""
    if re.fullmatch(r"#[0-9a-fA-F]{6}", colour.strip()) is None:
        raise ValueError("IASS_SERVICE_BRAND_COLOUR must be a colour written #rrggbb")

    def linear(channel: str) -> float:
        value = int(channel, 16) / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    hex_digits = colour.strip()[1:]
    red, green, blue = (linear(hex_digits[i : i + 2]) for i in (0, 2, 4))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    if 1.05 / (luminance + 0.05) < 4.5:
        raise ValueError(
            "IASS_SERVICE_BRAND_COLOUR is too light: white text on it would be hard to read "
            "(WCAG 2.2 AA needs a contrast of 4.5 to 1)"
        )
    return colour.strip().lower()


BOT_FRAMEWORK_KEYS_URL = "https://login.botframework.com/v1/.well-known/keys"
CALLING_OPENID_URL = "https://api.aps.skype.com/v1/.well-known/OpenIdConfiguration"
TEAMS_SERVICE_URL = "https://smba.trafficmanager.net/uk/"
"""Teams' Bot Connector for the UK, used until a chat's own activity names its service URL."""
TEAMS_WEB_URL = "https://teams.microsoft.com"


class TenantSettings(InstallationSettings):
    """How the bot reaches its Microsoft 365 tenant (Entra ID, Graph, the consent mailbox).

    Every address the bot calls or trusts is a setting with Microsoft's address as its
    default, so a stand-in tenant (the local sandbox, `sandbox.endpoints`) is reached through
    the same settings as production: `authority_endpoint` (where requests for the https
    `authority_host` are sent; empty sends them to the authority host itself),
    `graph_base_url`, `bot_framework_keys_url` (the key set Bot Framework's OpenID metadata
    names), `calling_openid_url` (the calling service's OpenID configuration),
    `teams_service_url` (the Bot Connector for chats Teams has not yet named one for) and
    `teams_web_url` (where staff open Teams' join links).
    """

    model_config = SettingsConfigDict(
        env_prefix="IASS_", env_file=FOUND, extra="ignore", hide_input_in_errors=True
    )

    tenant_id: str = ""
    bot_app_id: str = ""
    bot_app_secret: SecretStr = Field(default=SecretStr(""))
    credential: Literal["secret", "certificate", "managed_identity"] = "secret"
    bot_certificate_path: str = ""
    bot_certificate_password: SecretStr = Field(default=SecretStr(""))
    managed_identity_client_id: str = ""
    authority_host: str = "https://login.microsoftonline.com"
    authority_endpoint: str = ""
    graph_base_url: str = "https://graph.microsoft.com/v1.0"
    bot_framework_keys_url: str = BOT_FRAMEWORK_KEYS_URL
    calling_openid_url: str = CALLING_OPENID_URL
    teams_service_url: str = TEAMS_SERVICE_URL
    teams_web_url: str = TEAMS_WEB_URL
    consent_mailbox: str = ""
    public_url: str = "http://127.0.0.1:3978"
    session_key: SecretStr = Field(default=SecretStr(""))
    session_max_hours: int = Field(default=10, ge=1)
    staff_role: str = "IASS.Staff"
    manager_role: str = "IASS.Manager"
    teams_catalog_app_id: str = ""

    def graph_config(self) -> GraphClientConfig:
        """The Graph client configuration; `ValueError` names a missing setting."""
        for name in ("tenant_id", "bot_app_id"):
            if not getattr(self, name):
                raise ValueError(f"IASS_{name.upper()} is not set")
        return GraphClientConfig(
            tenant_id=self.tenant_id,
            client_id=self.bot_app_id,
            authority_host=self.authority_host,
            graph_base_url=self.graph_base_url,
            authority_rewrite_to=self.authority_endpoint or None,
            **self._app_credential(),
        )

    def _app_credential(self) -> dict[str, Any]:
        """The credential IASS_CREDENTIAL chooses, as `GraphClientConfig` takes it."""
        if self.credential == "certificate":
            if not self.bot_certificate_path:
                raise ValueError("IASS_CREDENTIAL=certificate needs IASS_BOT_CERTIFICATE_PATH")
            return {
                "certificate": CertificateFile(
                    Path(self.bot_certificate_path),
                    self.bot_certificate_password.get_secret_value(),
                )
            }
        if self.credential == "managed_identity":
            return {"managed_identity": ManagedIdentityFederation(self.managed_identity_client_id)}
        if not self.bot_app_secret.get_secret_value():
            raise ValueError("IASS_BOT_APP_SECRET is not set")
        return {"client_secret": self.bot_app_secret.get_secret_value()}


def default_database_url() -> str:
    """`iass.db` beside the settings file read (in the working directory when there is none)."""
    return f"sqlite+aiosqlite:///{settings_folder() / 'iass.db'}"


class Settings(InstallationSettings):
    """Runtime configuration of the bot and its store."""

    model_config = SettingsConfigDict(env_prefix="IASS_", env_file=FOUND, extra="ignore")

    database_url: str = Field(default_factory=default_database_url)
    encryption_keys: SecretStr = Field(default=SecretStr(""))
    encryption_key_id: str = ""
    blind_index_key: SecretStr = Field(default=SecretStr(""))
    audit_key: SecretStr = Field(default=SecretStr(""))
    retention_days: int = Field(default=2192, ge=1)
    reminder_hours: Annotated[tuple[int, ...], NoDecode] = (72, 24)
    host: str = "127.0.0.1"
    port: int = Field(default=3978, validation_alias="PORT")

    @field_validator("reminder_hours", mode="before")
    @classmethod
    def _hours_list(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return tuple(int(part) for part in value.split(",") if part.strip())
            except ValueError:
                raise ValueError("IASS_REMINDER_HOURS must be whole hours, like 72,24") from None
        return value

    @field_validator("database_url")
    @classmethod
    def _known_engine(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "IASS_DATABASE_URL must start with sqlite+aiosqlite:// or postgresql+asyncpg://"
            )
        return value

    @cached_property
    def service(self) -> ServiceProfile:
        return ServiceProfile()

    @cached_property
    def tenant(self) -> TenantSettings:
        return TenantSettings()

    def key_ring(self) -> KeyRing:
        """The store's keys; raises `ValueError` naming the missing or malformed setting."""
        return parse_key_ring(
            encryption_keys=self.encryption_keys.get_secret_value(),
            active_key_id=self.encryption_key_id,
            blind_index_key=self.blind_index_key.get_secret_value(),
            audit_key=self.audit_key.get_secret_value(),
        )
