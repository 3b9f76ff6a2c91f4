"""The package inputs refuse what Teams would refuse, and settings errors name the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ServiceProfile
from bot.teams.inputs import ManifestInputError
from bot.teams.manifest import fit
from bot.teams.settings import ManifestSettingsError, TeamsAppSettings
from tests.teams.builders import APP_ID, PUBLIC_URL, make_inputs


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("app_id", "", "is not set"),
        ("app_id", "not-a-guid", "must be a GUID"),
        ("app_id", "{6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d}", "must be a GUID"),
        ("app_id", "00000000-0000-0000-0000-000000000000", "all-zero placeholder"),
        ("version", "1.0", "MAJOR.MINOR.PATCH"),
        ("version", "01.0.0", "MAJOR.MINOR.PATCH"),
        ("public_url", "http://iass-bot.example.org", "https://"),
        ("public_url", "iass-bot.example.org", "https://"),
        ("public_url", "https://iass-bot.example.org:8443", "port 443"),
        ("public_url", "https://iass-bot.example.org:x", "not a valid URL"),
        ("public_url", "https://iass-bot.example.org/?a=1", "without credentials, query"),
        ("public_url", "https://user@iass-bot.example.org", "without credentials, query"),
        ("app_name", "A name much longer than thirty characters", "Teams allows 30"),
        ("app_name", "   ", "is not set"),
        ("website", "http://iass.example.org", "https://"),
        ("privacy_url", "ftp://iass.example.org/privacy", "https://"),
        ("what_we_do", "", "is not set"),
    ],
)
def test_refuses_inputs_teams_would_refuse(field: str, value: str, problem: str) -> None:
    with pytest.raises(ManifestInputError, match=problem) as caught:
        make_inputs(**{field: value})
    assert caught.value.field == field


def test_addresses_derive_from_the_public_url() -> None:
    inputs = make_inputs(public_url="https://Bots.Example.org:443/iass/")

    assert inputs.host == "bots.example.org"
    assert inputs.tab_url == "https://Bots.Example.org:443/iass/tab?inTeams=1"
    assert inputs.sso_resource == f"api://bots.example.org/{APP_ID}"


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Short enough", 12, "Short enough"),
        ("  Spaces\n and\tlines  ", 80, "Spaces and lines"),
        ("Impartial and confidential advice", 20, "Impartial and…"),
        ("Impartial and, confidential", 16, "Impartial and…"),
        ("Impartial and confidential", 15, "Impartial and…"),
        ("Supercalifragilistic", 10, "Supercali…"),
    ],
)
def test_fit_cuts_at_a_word_boundary(text: str, limit: int, expected: str) -> None:
    assert fit(text, limit) == expected
    assert len(fit(text, limit)) <= limit


@pytest.mark.usefixtures("clean_environment")
def test_settings_build_inputs_with_the_service_profile() -> None:
    service = ServiceProfile()

    inputs = TeamsAppSettings(bot_app_id=f" {APP_ID} ", public_url=PUBLIC_URL).manifest_inputs(
        service
    )

    assert inputs.app_id == APP_ID
    assert inputs.version == "1.0.0"
    assert inputs.app_name == "IASS meeting companion"
    assert inputs.service_short_name == service.short_name
    assert inputs.privacy_url == service.website
    assert inputs.terms_url == service.website


@pytest.mark.usefixtures("clean_environment")
@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"public_url": PUBLIC_URL}, "IASS_BOT_APP_ID is not set"),
        ({"bot_app_id": "abc", "public_url": PUBLIC_URL}, "IASS_BOT_APP_ID must be a GUID"),
        ({"bot_app_id": APP_ID}, "IASS_PUBLIC_URL is not set"),
        ({"bot_app_id": APP_ID, "public_url": "http://x.org"}, "IASS_PUBLIC_URL must be an https"),
        (
            {"bot_app_id": APP_ID, "public_url": PUBLIC_URL, "app_version": "v1"},
            "IASS_APP_VERSION must be MAJOR.MINOR.PATCH",
        ),
        (
            {"bot_app_id": APP_ID, "public_url": PUBLIC_URL, "service_terms_url": "http://x.org"},
            "IASS_SERVICE_TERMS_URL must be an https",
        ),
    ],
)
def test_settings_errors_name_the_environment_variable(
    values: dict[str, str], message: str
) -> None:
    service = ServiceProfile()

    with pytest.raises(ManifestSettingsError, match=message):
        TeamsAppSettings(**values).manifest_inputs(service)


def test_settings_come_from_the_environment(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (clean_environment / ".env").write_text(f"IASS_BOT_APP_ID={APP_ID}\n", encoding="utf-8")
    monkeypatch.setenv("IASS_PUBLIC_URL", PUBLIC_URL)
    monkeypatch.setenv("IASS_APP_VERSION", "2.0.1")
    monkeypatch.setenv("IASS_SERVICE_WEBSITE", "https://iass.example.org")
    monkeypatch.setenv("IASS_SERVICE_PRIVACY_URL", "https://iass.example.org/privacy")

    inputs = TeamsAppSettings().manifest_inputs(ServiceProfile())

    assert (inputs.app_id, inputs.public_url, inputs.version) == (APP_ID, PUBLIC_URL, "2.0.1")
    assert inputs.privacy_url == "https://iass.example.org/privacy"
    assert inputs.terms_url == "https://iass.example.org"
