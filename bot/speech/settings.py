"""Which speech backend the bot uses and how it reaches it, read from `IASS_SPEECH_*` settings."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from bot.settings_file import FOUND, InstallationSettings


class BackendChoice(StrEnum):
    """Where prompts come from."""

    ESPEAK = "espeak"
    AZURE = "azure"
    RECORDED = "recorded"


class SpeechSettings(InstallationSettings):
    """Speech configuration; the settings a chosen backend needs must be present."""

    model_config = SettingsConfigDict(
        env_prefix="IASS_SPEECH_", env_file=FOUND, extra="ignore", hide_input_in_errors=True
    )

    backend: BackendChoice = BackendChoice.ESPEAK
    azure_key: SecretStr = Field(default=SecretStr(""))
    azure_region: str = Field(default="", pattern=r"^[a-z0-9]*$")
    azure_voice: str = "en-GB-SoniaNeural"
    recorded_dir: Path | None = None

    @model_validator(mode="after")
    def _backend_is_configured(self) -> SpeechSettings:
        if self.backend is BackendChoice.AZURE and not (
            self.azure_key.get_secret_value() and self.azure_region
        ):
            raise ValueError(
                "IASS_SPEECH_BACKEND=azure needs IASS_SPEECH_AZURE_KEY and IASS_SPEECH_AZURE_REGION"
            )
        if self.backend is BackendChoice.RECORDED and not (
            self.recorded_dir is not None and self.recorded_dir.is_dir()
        ):
            raise ValueError(
                "IASS_SPEECH_BACKEND=recorded needs IASS_SPEECH_RECORDED_DIR, an existing folder"
            )
        return self
