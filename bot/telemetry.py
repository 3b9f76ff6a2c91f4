"""How the bot writes its log: plain lines, or one JSON object a line when
`IASS_LOG_FORMAT=json` (for Azure Monitor, a log workspace or any collector that parses JSON).

Each JSON line has `time` (UTC, ISO 8601), `level`, `logger` and `message`, and `exception`
with the failure's type when there is one. The bot never logs personal data, so nothing here
filters; a traceback is reduced to the exception's type, since its text can carry what a person
wrote."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Literal

from pydantic_settings import SettingsConfigDict

from bot.settings_file import FOUND, InstallationSettings

PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class LogSettings(InstallationSettings):
    """`IASS_LOG_FORMAT`: `text` (the default) or `json`."""

    model_config = SettingsConfigDict(env_prefix="IASS_", env_file=FOUND, extra="ignore")

    log_format: Literal["text", "json"] = "text"


class JsonLogFormatter(logging.Formatter):
    """One JSON object a line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info is not None and record.exc_info[0] is not None:
            entry["exception"] = record.exc_info[0].__name__
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(settings: LogSettings | None = None, level: int = logging.INFO) -> None:
    """Send the root logger's records to stderr in the format `IASS_LOG_FORMAT` chooses."""
    chosen = (settings or LogSettings()).log_format
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonLogFormatter() if chosen == "json" else logging.Formatter(PLAIN_FORMAT)
    )
    logging.basicConfig(level=level, handlers=[handler], force=True)
