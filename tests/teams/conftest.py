"""Fixtures for the Teams app package: an environment without IASS_ settings or `.env`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No IASS_ variables, and a fresh working directory (so no `.env`); returns that directory."""
    for name in list(os.environ):
        if name.upper().startswith("IASS_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("bot.settings_file.INSTALLATION", tmp_path)
    return tmp_path
