"""`iass-bot manifest build`: writes the package, or stops with one line naming what to fix."""

from __future__ import annotations

import argparse
import zipfile
from pathlib import Path

import pytest

from bot.cli import manifest
from bot.cli.errors import CliError
from tests.teams.builders import APP_ID, PUBLIC_URL


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="iass-bot")
    manifest.register(parser.add_subparsers(required=True))
    args = parser.parse_args(argv)
    status: int = args.handler(args)
    return status


@pytest.fixture
def configured(clean_environment: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("IASS_BOT_APP_ID", APP_ID)
    monkeypatch.setenv("IASS_PUBLIC_URL", PUBLIC_URL)
    return clean_environment


def test_build_writes_the_package(configured: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = configured / "iass-teams-app.zip"

    assert _run("manifest", "build", "--out", str(out)) == 0

    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
    assert capsys.readouterr().out == f"wrote {out}: Teams app {APP_ID}, version 1.0.0\n"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("IASS_BOT_APP_ID", "", "^IASS_BOT_APP_ID is not set$"),
        ("IASS_BOT_APP_ID", "my-bot", "^IASS_BOT_APP_ID must be a GUID"),
        ("IASS_PUBLIC_URL", "http://iass-bot.example.org", "^IASS_PUBLIC_URL must be an https"),
    ],
)
def test_build_names_the_setting_to_fix(
    configured: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    out = configured / "app.zip"

    with pytest.raises(CliError, match=message) as caught:
        _run("manifest", "build", "--out", str(out))

    assert "\n" not in str(caught.value)
    assert not out.exists()


def test_build_without_any_settings_asks_for_the_app_id(clean_environment: Path) -> None:
    with pytest.raises(CliError, match=r"^IASS_BOT_APP_ID is not set$"):
        _run("manifest", "build", "--out", str(clean_environment / "app.zip"))


@pytest.mark.parametrize("where", ["missing-folder/app.zip", "."])
def test_build_reports_an_unwritable_path(configured: Path, where: str) -> None:
    with pytest.raises(CliError, match=r"^cannot write "):
        _run("manifest", "build", "--out", str(configured / where))


def test_build_help_lists_the_settings(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        _run("manifest", "build", "--help")

    assert exit_.value.code == 0
    help_text = capsys.readouterr().out
    assert "--out FILE.zip" in help_text
    assert "IASS_BOT_APP_ID" in help_text
    assert "IASS_PUBLIC_URL" in help_text


def test_build_requires_out(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        _run("manifest", "build")

    assert exit_.value.code == 2
    assert "--out" in capsys.readouterr().err
