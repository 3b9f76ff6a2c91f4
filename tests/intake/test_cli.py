"""`iass-bot consent classify`: one JSON line per file, errors reported in line, exit status."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from bot.cli import consent
from tests.intake.conftest import CORPUS

KEYS = {
    "file",
    "reference",
    "sender",
    "recording",
    "documents",
    "contribution",
    "liaison",
    "needs_review",
    "authenticated",
    "evidence",
    "review_reasons",
    "auto_reply",
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[dict[str, object]]]:
    parser = argparse.ArgumentParser(prog="iass-bot")
    consent.register(parser.add_subparsers())
    args = parser.parse_args(["consent", "classify", *argv])
    status = args.handler(args)
    lines = capsys.readouterr().out.splitlines()
    return status, [json.loads(line) for line in lines]


def test_classifies_each_file_on_its_own_line(capsys: pytest.CaptureFixture[str]) -> None:
    mixed = str(CORPUS / "042_recording_fine_dont_share.eml")
    auto = str(CORPUS / "070_oof_auto_submitted.eml")
    status, lines = run(capsys, mixed, auto)
    assert status == 0
    assert [line["file"] for line in lines] == [mixed, auto]
    assert all(set(line) == KEYS for line in lines)
    assert lines[0] | {"file": None} == {
        "file": None,
        "reference": "IASS-7K3M9Q2P",
        "sender": "jane.okafor@example.org",
        "recording": "given",
        "documents": "refused",
        "contribution": None,
        "liaison": None,
        "needs_review": False,
        "authenticated": True,
        "evidence": {
            "recording": "Recording is fine",
            "documents": "please don't share documents",
        },
        "review_reasons": [],
        "auto_reply": False,
    }
    assert lines[1]["auto_reply"] is True
    assert lines[1]["needs_review"] is False
    assert [lines[1][topic] for topic in ("recording", "documents", "contribution", "liaison")] == [
        None
    ] * 4


def test_bad_files_are_reported_and_the_run_goes_on(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.eml"
    broken.write_bytes(b"\x00\xff not an email at all")
    missing = tmp_path / "missing.eml"
    good = str(CORPUS / "025_no.eml")
    status, lines = run(capsys, str(broken), str(missing), good)
    assert status == 1
    assert lines[0] == {"file": str(broken), "error": "no header fields: not an email"}
    assert lines[1]["file"] == str(missing)
    assert str(lines[1]["error"]).startswith("cannot read file")
    assert lines[2]["recording"] == "refused"


def test_oversized_file_is_an_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    big = tmp_path / "big.eml"
    big.write_bytes(b"From: a@example.org\r\n\r\n" + b"x" * (1024 * 1024))
    status, lines = run(capsys, str(big))
    assert status == 1
    assert "larger than" in str(lines[0]["error"])


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser(prog="iass-bot")
    consent.register(parser.add_subparsers())
    for argv in (["consent", "--help"], ["consent", "classify", "--help"]):
        with pytest.raises(SystemExit) as exit_:
            parser.parse_args(argv)
        assert exit_.value.code == 0
    assert "FILE.eml" in capsys.readouterr().out
