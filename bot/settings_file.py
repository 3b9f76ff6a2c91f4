"""The one settings file (`.env`) the bot and every `iass-bot` command read besides the
environment, found the same way wherever they are run from:

1. the file `IASS_ENV_FILE` names, when it is set (it may not exist yet: `keys init` creates it);
2. otherwise `.env` in the working directory, when there is one;
3. otherwise `.env` in the folder this copy of the bot is installed from (the clone where
   `make run` writes it), when there is one, so `.venv/bin/iass-bot` run from another folder
   reads its own installation's settings instead of finding none.

A value in the environment wins over the file. The default SQLite store lives beside the file
found (or in the working directory when there is none), so a command run from elsewhere opens
the installation's store with the installation's keys.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic_settings import BaseSettings, DotEnvSettingsSource, PydanticBaseSettingsSource

ENV_FILE_SETTING = "IASS_ENV_FILE"
INSTALLATION = Path(__file__).resolve().parents[1]
"""The folder this copy of the bot is installed from (where `make run` writes its `.env`)."""
FOUND = ".env"
"""What the settings classes give as `env_file`: the file `settings_file()` finds."""


def named_file() -> Path | None:
    """The file `IASS_ENV_FILE` names, made absolute, if it is set."""
    named = os.environ.get(ENV_FILE_SETTING, "").strip()
    return Path(named).expanduser().absolute() if named else None


def installation_file() -> Path:
    return INSTALLATION / ".env"


def settings_file() -> Path | None:
    """The settings file to read, by the rules above; None when there is none."""
    named = named_file()
    if named is not None:
        return named
    for candidate in (Path.cwd() / ".env", installation_file()):
        if candidate.is_file():
            return candidate
    return None


def file_to_write() -> Path:
    """Where `iass-bot keys init` adds keys: the file read, or a new `.env` in the working
    directory when none was found."""
    return settings_file() or Path.cwd() / ".env"


def settings_folder() -> Path:
    """The folder of the settings file read (the working directory when none is), where the
    default SQLite store lives."""
    found = settings_file()
    return found.parent if found is not None else Path.cwd()


def where_settings_came_from() -> str:
    """Which file was read, in words with its absolute path, for messages about settings."""
    named, found = named_file(), settings_file()
    if named is not None and not named.is_file():
        return (
            f"settings were read from the environment only: {ENV_FILE_SETTING} names {named}, "
            "which does not exist"
        )
    if found is not None:
        return f"settings were read from the environment and {found}"
    here, installed = Path.cwd() / ".env", installation_file()
    elsewhere = f" or {installed}" if installed != here else ""
    return (
        f"settings were read from the environment only: there is no {here}{elsewhere} "
        f"(`iass-bot keys init` would create {here})"
    )


class InstallationSettings(BaseSettings):
    """Settings read from the environment and the file `settings_file()` finds, for a class
    whose `env_file` is `FOUND`; an `_env_file` given when constructing one still wins."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        if isinstance(dotenv_settings, DotEnvSettingsSource) and dotenv_settings.env_file == FOUND:
            dotenv_settings = DotEnvSettingsSource(settings_cls, env_file=settings_file())
        return init_settings, env_settings, dotenv_settings, file_secret_settings
