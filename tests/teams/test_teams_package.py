"""The Teams app package: its manifest meets Microsoft's schema and says what the service needs."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from jsonschema import Draft4Validator, SchemaError
from PIL import Image

from bot.teams.inputs import ManifestInputs
from bot.teams.package import build_package
from tests.teams import manifest_schema
from tests.teams.builders import APP_ID, make_inputs

MEETING_PERMISSIONS = {
    "ChatMessage.Read.Chat",
    "OnlineMeeting.ReadBasic.Chat",
    "OnlineMeetingParticipant.Read.Chat",
    "OnlineMeetingNotification.Send.Chat",
    "Calls.JoinGroupCalls.Chat",
}


def _files(package: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _manifest(inputs: ManifestInputs) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads(_files(build_package(inputs))["manifest.json"])
    return manifest


def _image(name: str) -> Image.Image:
    return Image.open(io.BytesIO(_files(build_package(make_inputs()))[name])).convert("RGBA")


def test_package_holds_the_manifest_and_icons_at_its_root() -> None:
    assert sorted(_files(build_package(make_inputs()))) == [
        "color.png",
        "manifest.json",
        "outline.png",
    ]


def test_package_is_reproducible() -> None:
    assert build_package(make_inputs()) == build_package(make_inputs())


def test_manifest_meets_the_v1_24_schema() -> None:
    manifest = _manifest(make_inputs())

    assert manifest_schema.problems(manifest, "1.24") == []
    assert manifest["manifestVersion"] == "1.24"
    assert manifest["$schema"].endswith("/teams/v1.24/MicrosoftTeams.schema.json")


def test_manifest_also_meets_the_v1_29_schema() -> None:
    manifest = _manifest(make_inputs()) | {"manifestVersion": "1.29"}

    assert manifest_schema.problems(manifest, "1.29") == []


def test_schema_patterns_need_the_regex_module() -> None:
    schema = manifest_schema.schema("1.24")

    with pytest.raises(SchemaError, match="is not a 'regex'"):
        Draft4Validator.check_schema(schema)
    manifest_schema.ManifestValidator.check_schema(
        schema, format_checker=manifest_schema.FORMAT_CHECKER
    )


def test_schema_check_catches_a_broken_manifest() -> None:
    manifest = _manifest(make_inputs())
    manifest["id"] = "not-a-guid"
    manifest["name"]["short"] = "x" * 31

    assert len(manifest_schema.problems(manifest, "1.24")) == 2


@pytest.mark.parametrize(
    "name", ['Bro "Gwynedd" & Môn IASS', "Ynys Môn <SENDIASS> 'Cymru'", "Back\\slash\n{{ x }}"]
)
def test_service_texts_are_escaped(name: str) -> None:
    what_we_do = f'Cyngor "diduedd" & cyfrinachol gan {name}.'
    inputs = make_inputs(
        service_name=name, service_short_name=name, what_we_do=what_we_do, phone="01248 <752> 300"
    )

    manifest = _manifest(inputs)

    flat_name = " ".join(name.split())
    assert manifest["developer"]["name"] == flat_name
    assert manifest["name"]["full"] == f"IASS meeting companion for {flat_name}"
    assert manifest["description"]["short"] == " ".join(what_we_do.split())
    assert manifest["description"]["full"].startswith(" ".join(what_we_do.split()))
    assert "01248 <752> 300" in manifest["description"]["full"]
    assert manifest_schema.problems(manifest, "1.24") == []


def test_long_service_texts_are_shortened_to_the_schema_limits() -> None:
    inputs = make_inputs(
        service_name="Gwasanaeth " * 20,
        service_short_name="Gwasanaeth Gwybodaeth, Cyngor a Chymorth AAA Ynys Môn",
        what_we_do="Cyngor diduedd a chyfrinachol. " * 200,
    )

    manifest = _manifest(inputs)

    assert manifest["developer"]["name"] == "Gwasanaeth Gwybodaeth, Cyngor a…"
    assert len(manifest["name"]["full"]) <= 100
    assert len(manifest["description"]["short"]) <= 80
    assert len(manifest["description"]["full"]) <= 4000
    assert manifest["description"]["full"].endswith("…")
    assert manifest_schema.problems(manifest, "1.24") == []


def test_bot_joins_meetings_with_calling_and_staff_commands() -> None:
    (bot,) = _manifest(make_inputs())["bots"]

    assert bot["botId"] == APP_ID
    assert set(bot["scopes"]) == {"personal", "groupChat", "team"}
    assert (bot["supportsCalling"], bot["supportsVideo"]) == (True, False)
    assert bot["isNotificationOnly"] is False
    commands = {
        scope: [command["title"] for command in command_list["commands"]]
        for command_list in bot["commandLists"]
        for scope in command_list["scopes"]
    }
    assert commands == {
        "personal": ["status", "role", "documents", "help"],
        "groupChat": ["status", "role", "documents", "help"],
    }


def test_meeting_permissions_are_resource_specific_application_permissions() -> None:
    manifest = _manifest(make_inputs())

    granted = manifest["authorization"]["permissions"]["resourceSpecific"]
    assert {permission["name"] for permission in granted} == MEETING_PERMISSIONS
    assert {permission["type"] for permission in granted} == {"Application"}
    assert manifest["webApplicationInfo"] == {
        "id": APP_ID,
        "resource": f"api://iass-bot.example.org/{APP_ID}",
    }


def test_staff_tab_and_valid_domain_are_the_bot_host() -> None:
    manifest = _manifest(make_inputs(public_url="https://iass-bot.example.org/"))

    assert manifest["staticTabs"] == [
        {
            "entityId": "meetings",
            "name": "Meetings",
            "contentUrl": "https://iass-bot.example.org/tab?inTeams=1",
            "scopes": ["personal"],
            "context": ["personalTab"],
        }
    ]
    assert manifest["validDomains"] == ["iass-bot.example.org"]
    assert manifest["id"] == APP_ID
    assert manifest["version"] == "1.2.3"


def test_colour_icon_is_192_pixels_square() -> None:
    assert _image("color.png").size == (192, 192)


def test_outline_icon_is_32_pixels_of_white_on_transparent() -> None:
    outline = _image("outline.png")
    data = outline.tobytes()
    pixels = [tuple(data[start : start + 4]) for start in range(0, len(data), 4)]

    assert outline.size == (32, 32)
    assert all(pixel[:3] == (255, 255, 255) or pixel[3] == 0 for pixel in pixels)
    assert any(pixel[3] > 0 for pixel in pixels)
    assert any(pixel[3] == 0 for pixel in pixels)
