"""Settings read from the environment (and an optional `.env`), with the service profile.

Every setting is documented in the README with its default. Names are upper-case with the
`IASS_` prefix; a value in the environment wins over one in `.env`.
"""

from __future__ import annotations

from functools import cached_property

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from consent_store.keys import KeyRing, parse_key_ring


class ServiceProfile(BaseSettings):
    """Who the service is: what the bot says about it and where it sends people."""

    model_config = SettingsConfigDict(env_prefix="IASS_SERVICE_", env_file=".env", extra="ignore")

    name: str = "Westmorland and Furness SEND Information, Advice and Support Service"
    short_name: str = "Westmorland and Furness SEND IASS"
    what_we_do: str = (
        "Impartial and confidential information, advice and support service for parent carers "
        "and children and young people with special educational needs and disabilities."
    )
    phone: str = "0300 373 3300"
    email: str = "sendiass@westmorlandandfurness.gov.uk"
    website: str = "https://sendiass.westmorlandandfurness.gov.uk"


class Settings(BaseSettings):
    """Runtime configuration of the bot and its store."""

    model_config = SettingsConfigDict(env_prefix="IASS_", env_file=".env", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./iass.db"
    encryption_keys: SecretStr = Field(default=SecretStr(""))
    encryption_key_id: str = ""
    blind_index_key: SecretStr = Field(default=SecretStr(""))
    audit_key: SecretStr = Field(default=SecretStr(""))
    retention_days: int = Field(default=2192, ge=1)
    host: str = "127.0.0.1"
    port: int = Field(default=3978, validation_alias="PORT")

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

    def key_ring(self) -> KeyRing:
        """The store's keys; raises `ValueError` naming the missing or malformed setting."""
        return parse_key_ring(
            encryption_keys=self.encryption_keys.get_secret_value(),
            active_key_id=self.encryption_key_id,
            blind_index_key=self.blind_index_key.get_secret_value(),
            audit_key=self.audit_key.get_secret_value(),
        )
