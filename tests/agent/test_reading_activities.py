"""The pure parts of reading what Teams sends: staff commands, meeting event values in either
casing, and whether two service URLs are the same."""

from __future__ import annotations

import pytest

from bot.agent.commands import Command, CommandName, parse_command
from bot.agent.meeting_event_value import pascal_case_keys
from bot.agent.service_url_guard import same_service_url


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("status", Command(CommandName.STATUS)),
        ("  Status. ", Command(CommandName.STATUS)),
        ("role iass-7kq2m9xd", Command(CommandName.ROLE, reference="IASS-7KQ2M9XD")),
        ("documents IASS-7KQ2M9XD", Command(CommandName.DOCUMENTS, reference="IASS-7KQ2M9XD")),
        ("help", Command(CommandName.HELP)),
        ("share draft plan v2", Command(CommandName.SHARE, wanted="draft plan v2")),
        ("Status is fine, thanks", None),
        ("help IASS-7KQ2M9XD", None),
        ("share", None),
        ("Shall we begin?", None),
        ("", None),
        (None, None),
    ],
)
def test_commands(text: str | None, command: Command | None) -> None:
    assert parse_command(text) == command


def test_camel_case_meeting_values_become_pascal_case() -> None:
    value = {"id": "M", "joinUrl": "u", "title": "t", "meetingType": "Scheduled", "EndTime": "e"}
    assert pascal_case_keys(value) == {
        "Id": "M",
        "JoinUrl": "u",
        "Title": "t",
        "MeetingType": "Scheduled",
        "EndTime": "e",
    }
    assert pascal_case_keys({"title": "camel", "Title": "Pascal"}) == {"Title": "Pascal"}
    assert pascal_case_keys(None) is None


@pytest.mark.parametrize(
    ("claimed", "given", "same"),
    [
        ("https://smba.trafficmanager.net/uk/", "https://smba.trafficmanager.net/uk/", True),
        ("https://smba.trafficmanager.net/uk/", "HTTPS://SMBA.trafficmanager.net/uk", True),
        ("https://smba.trafficmanager.net/uk/", "https://smba.trafficmanager.net/emea/", False),
        ("https://smba.trafficmanager.net/uk/", "http://smba.trafficmanager.net/uk/", False),
        ("https://smba.trafficmanager.net/uk/", "https://smba.trafficmanager.net:8443/uk/", False),
        ("https://smba.trafficmanager.net/uk/", "https://evil.example/uk/", False),
        ("https://smba.trafficmanager.net/uk/", "https://smba.trafficmanager.net/uk/?x=1", False),
        (None, "https://smba.trafficmanager.net/uk/", False),
        ("https://smba.trafficmanager.net/uk/", None, False),
        ("/uk/", "/uk/", False),
    ],
)
def test_service_urls(claimed: object, given: object, same: bool) -> None:
    assert same_service_url(claimed, given) is same
