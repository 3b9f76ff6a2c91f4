"""The Teams app package's settings, read from the environment (and `.env`) like `bot.config`.

Each setting is `IASS_` followed by the field name in upper case. The service's name, message and
contact details come from `bot.config.ServiceProfile` (`IASS_SERVICE_...`).
"""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from bot.config import ServiceProfile
from bot.settings_file import FOUND, InstallationSettings
from bot.teams.inputs import ManifestInputError, ManifestInputs

_ENVIRONMENT_NAMES = {
    "app_id": "IASS_BOT_APP_ID",
    "version": "IASS_APP_VERSION",
    "public_url": "IASS_PUBLIC_URL",
    "app_name": "IASS_TEAMS_APP_NAME",
    "service_name": "IASS_SERVICE_NAME",
    "service_short_name": "IASS_SERVICE_SHORT_NAME",
    "what_we_do": "IASS_SERVICE_WHAT_WE_DO",
    "phone": "IASS_SERVICE_PHONE",
    "email": "IASS_SERVICE_EMAIL",
    "website": "IASS_SERVICE_WEBSITE",
    "privacy_url": "IASS_SERVICE_PRIVACY_URL",
    "terms_url": "IASS_SERVICE_TERMS_URL",
}


class ManifestSettingsError(ValueError):
    """A setting the package cannot be built from; the message names the environment variable."""


class TeamsAppSettings(InstallationSettings):
    """Settings the Teams app package needs beyond the service profile."""

    model_config = SettingsConfigDict(env_prefix="IASS_", env_file=FOUND, extra="ignore")

    bot_app_id: str = ""
    """The bot's Microsoft Entra application (client) ID; also the Teams app ID. Required."""
    public_url: str = ""
    """The https base URL Teams reaches the bot at, e.g. https://iass-bot.example.org. Required."""
    app_version: str = "1.0.0"
    """The package version (MAJOR.MINOR.PATCH); raise it whenever the manifest changes."""
    teams_app_name: str = "IASS meeting companion"
    """The app's name in Teams, at most 30 characters."""
    service_privacy_url: str = ""
    """The service's privacy notice; the service website when empty."""
    service_terms_url: str = ""
    """The service's terms of use; the service website when empty."""

    def manifest_inputs(self, service: ServiceProfile) -> ManifestInputs:
        """The package inputs, or `ManifestSettingsError` naming the setting to fix."""
        try:
            return ManifestInputs(
                app_id=self.bot_app_id.strip(),
                version=self.app_version.strip(),
                public_url=self.public_url.strip(),
                app_name=self.teams_app_name.strip(),
                service_name=service.name,
                service_short_name=service.short_name,
                what_we_do=service.what_we_do,
                phone=service.phone,
                email=service.email,
                website=service.website,
                privacy_url=self.service_privacy_url.strip() or service.website,
                terms_url=self.service_terms_url.strip() or service.website,
            )
        except ManifestInputError as error:
            raise ManifestSettingsError(
                f"{_ENVIRONMENT_NAMES[error.field]} {error.problem}"
            ) from error
