"""`iass-bot meeting schedule` against the sandbox tenant, as an operator scripts it."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest

from bot.cli.main import main
from sandbox.endpoints import environment as sandbox_environment
from sandbox.seed import (
    BOT_CATALOG_APP_ID,
    BOT_CLIENT_ID,
    BOT_CLIENT_SECRET,
    CONSENT_MAILBOX,
    COORDINATOR,
    PARENT_CARER,
    TENANT_ID,
)


@pytest.fixture
def configured(
    env_without_iass: Path, monkeypatch: pytest.MonkeyPatch, sandbox_process: str
) -> Path:
    for name, value in {
        "IASS_TENANT_ID": TENANT_ID,
        "IASS_BOT_APP_ID": BOT_CLIENT_ID,
        "IASS_BOT_APP_SECRET": BOT_CLIENT_SECRET,
        **sandbox_environment(sandbox_process),
        "IASS_CONSENT_MAILBOX": CONSENT_MAILBOX.mail,
        "IASS_TEAMS_CATALOG_APP_ID": BOT_CATALOG_APP_ID,
    }.items():
        monkeypatch.setenv(name, value)
    assert main(["keys", "init"]) == 0
    assert main(["db", "upgrade"]) == 0
    return env_without_iass


def inbox(origin: str, address: str) -> list[dict[str, str]]:
    url = f"{origin}/sandbox/api/people/{quote(address)}/messages"
    with urllib.request.urlopen(url) as response:  # noqa: S310 (loopback test server)
        return list(json.load(response)["value"])


ONE_MEETING = [
    "meeting",
    "schedule",
    "--title",
    "Transition review",
    "--start",
    "2031-03-04 10:00",
    "--end",
    "2031-03-04 11:00",
    "--role",
    "support",
    "--record",
    "--organiser",
    COORDINATOR.object_id,
    "--staff-name",
    COORDINATOR.display_name,
    "--parent",
    f"{PARENT_CARER.display_name} <{PARENT_CARER.address}>",
    "--professional",
    "Jo Whitfield <jo.whitfield@example.org>, Fellside Primary",
    "--document",
    "School report=https://example.com/report.docx",
]


def test_one_meeting_is_scheduled_and_requests_go_out(
    configured: Path, sandbox_process: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = inbox(sandbox_process, PARENT_CARER.address)
    assert main(ONE_MEETING) == 0
    out = capsys.readouterr().out
    assert "scheduled IASS-" in out
    assert "2 consent request(s) sent" in out
    assert "NEEDS ATTENTION" not in out
    new = inbox(sandbox_process, PARENT_CARER.address)[len(before) :]
    # the organiser's calendar invitation, and the consent request from the consent mailbox
    assert sorted("consent" in m["from"].lower() for m in new) == [False, True]


def test_a_bulk_file_reports_each_meeting(
    configured: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = {
        "title": "Planning",
        "start": "2031-05-06 14:00",
        "end": "2031-05-06 15:00",
        "role": "support-and-contribute",
        "organiser": COORDINATOR.object_id,
        "staff_name": COORDINATOR.display_name,
        "young_person": ["Sam Okafor <sam.okafor@example.org>"],
    }
    bad = {**good, "end": "2031-05-06 13:00"}
    (configured / "meetings.json").write_text(json.dumps([good, bad]))
    assert main(["meeting", "schedule", "--file", "meetings.json"]) == 1
    out = capsys.readouterr().out
    assert "scheduled IASS-" in out
    assert "meeting 2 not scheduled: The meeting must end after it starts." in out


def test_missing_tenant_settings_say_what_is_missing_and_which_file_was_read(
    env_without_iass: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["keys", "init"]) == 0
    assert main(["db", "upgrade"]) == 0
    assert main(ONE_MEETING) == 2
    assert capsys.readouterr().err == (
        "iass-bot: IASS_CONSENT_MAILBOX is not set\n"
        f"iass-bot: settings were read from the environment and {env_without_iass / '.env'}\n"
    )
