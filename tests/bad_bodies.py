"""Malformed request bodies every JSON endpoint of the bot must answer 400 (never 500), and the
check that refusing one logged no traceback, no ERROR and nothing from the body itself."""

from __future__ import annotations

import logging

import pytest

MARKER = "Sam-Parent-Private"
"""Text in a malformed body that must never reach the log."""

JSON = "application/json"

NOT_JSON = {
    "invalid UTF-8": (f'{{"value": ["{MARKER}'.encode() + b'\xff\xfe"]}', JSON),
    "invalid JSON": (f'{{"value": ["{MARKER}"'.encode(), JSON),
    "nested 100,000 deep": (b"[" * 100_000 + b"]" * 100_000, JSON),
    "an integer of 5,000 digits": (b'{"value": ' + b"7" * 5_000 + b"}", JSON),
    "a charset other than UTF-8": (
        f'{{"value": ["{MARKER}"]}}'.encode("utf-16"),
        f"{JSON}; charset=utf-16",
    ),
    "an unknown charset": (f'{{"value": ["{MARKER}"]}}'.encode(), f"{JSON}; charset=no-such"),
}
"""Bodies that are not UTF-8 JSON at all, with the Content-Type each is sent with."""

NOT_AN_OBJECT = {
    "a top-level list": b"[]",
    "a top-level string": f'"{MARKER}"'.encode(),
    "a top-level number": b"42",
    "a top-level null": b"null",
}


def assert_refused_quietly(caplog: pytest.LogCaptureFixture) -> None:
    """The refusal was logged as a warning naming the reason, with no traceback, no ERROR and
    nothing from the body."""
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert [r for r in caplog.records if r.exc_info] == []
    assert MARKER not in caplog.text
    assert "Traceback" not in caplog.text
    assert any(
        r.name == "bot.web.json_body" and r.levelno == logging.WARNING for r in caplog.records
    )
