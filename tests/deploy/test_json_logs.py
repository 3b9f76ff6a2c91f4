"""With IASS_LOG_FORMAT=json every log line is one JSON object a collector can parse; a
failure's traceback is reduced to its type, whose text could carry what a person wrote."""

from __future__ import annotations

import json
import logging

import pytest

from bot.telemetry import LogSettings, configure_logging


@pytest.fixture
def restored_logging() -> object:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def read_reply(text: str) -> None:
    raise ValueError(text)


def test_json_lines_carry_time_level_logger_message_and_the_failures_type(
    restored_logging: object, capfd: pytest.CaptureFixture[str]
) -> None:
    configure_logging(LogSettings(log_format="json"))
    log = logging.getLogger("bot.example")

    log.warning("mailbox lag %d s", 42)
    try:
        read_reply("a reply that said: my son Sam has autism")
    except ValueError:
        log.exception("could not read a reply")

    lines = [json.loads(line) for line in capfd.readouterr().err.splitlines()]
    assert [(line["level"], line["logger"], line["message"]) for line in lines] == [
        ("WARNING", "bot.example", "mailbox lag 42 s"),
        ("ERROR", "bot.example", "could not read a reply"),
    ]
    assert lines[1]["exception"] == "ValueError"
    assert "Sam" not in json.dumps(lines)
    assert lines[0]["time"].endswith("+00:00")


def test_the_default_is_plain_text(
    restored_logging: object, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IASS_LOG_FORMAT", raising=False)
    configure_logging(LogSettings(_env_file=None))

    logging.getLogger("bot.example").info("started")

    assert capfd.readouterr().err.strip().endswith("INFO bot.example: started")


def test_an_unknown_format_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IASS_LOG_FORMAT", "xml")

    with pytest.raises(ValueError, match="log_format"):
        LogSettings(_env_file=None)
