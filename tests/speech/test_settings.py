"""Speech settings (`IASS_SPEECH_*`) choose a backend, and refuse one that is not configured."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.speech.azure import AzureSpeechBackend
from bot.speech.choice import speech_from_settings
from bot.speech.settings import BackendChoice, SpeechSettings


@pytest.fixture(autouse=True)
def no_speech_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No IASS_SPEECH_ variables, and a working directory without a `.env`."""
    for name in list(os.environ):
        if name.upper().startswith("IASS_SPEECH_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("IASS_ENV_FILE", raising=False)
    monkeypatch.setattr("bot.settings_file.INSTALLATION", tmp_path)


def test_espeak_is_the_default() -> None:
    settings = SpeechSettings()
    assert settings.backend is BackendChoice.ESPEAK
    assert settings.azure_voice == "en-GB-SoniaNeural"
    speech = speech_from_settings(settings)
    assert (speech.name, speech.voice) == ("espeak-ng", "en-gb")


def test_azure_is_built_from_key_region_and_voice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IASS_SPEECH_BACKEND", "azure")
    monkeypatch.setenv("IASS_SPEECH_AZURE_KEY", "secret-key")
    monkeypatch.setenv("IASS_SPEECH_AZURE_REGION", "uksouth")
    monkeypatch.setenv("IASS_SPEECH_AZURE_VOICE", "en-GB-RyanNeural")
    settings = SpeechSettings()
    assert "secret-key" not in repr(settings)
    speech = speech_from_settings(settings)
    assert (speech.name, speech.voice) == ("azure", "en-GB-RyanNeural")
    backend = AzureSpeechBackend(settings.azure_key, "https://uksouth.tts.speech.microsoft.com")
    assert "secret-key" not in repr(backend)


def test_azure_without_a_key_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IASS_SPEECH_BACKEND", "azure")
    monkeypatch.setenv("IASS_SPEECH_AZURE_REGION", "uksouth")
    with pytest.raises(ValidationError, match="IASS_SPEECH_AZURE_KEY"):
        SpeechSettings()


def test_azure_without_a_region_is_refused_without_showing_the_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("IASS_SPEECH_BACKEND", "azure")
    monkeypatch.setenv("IASS_SPEECH_AZURE_KEY", "secret-key")
    with pytest.raises(ValidationError, match="IASS_SPEECH_AZURE_REGION") as refused:
        SpeechSettings()
    assert "secret-key" not in str(refused.value)


def test_a_region_that_is_not_a_region_name_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IASS_SPEECH_AZURE_REGION", "evil.example/")
    with pytest.raises(ValidationError, match="azure_region"):
        SpeechSettings()


def test_recorded_reads_the_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("IASS_SPEECH_BACKEND", "recorded")
    monkeypatch.setenv("IASS_SPEECH_RECORDED_DIR", str(tmp_path))
    speech = speech_from_settings(SpeechSettings())
    assert (speech.name, speech.voice) == ("recorded", str(tmp_path))


@pytest.mark.parametrize("folder", [None, "/nonexistent/prompts"])
def test_recorded_without_a_folder_is_refused(
    monkeypatch: pytest.MonkeyPatch, folder: str | None
) -> None:
    monkeypatch.setenv("IASS_SPEECH_BACKEND", "recorded")
    if folder is not None:
        monkeypatch.setenv("IASS_SPEECH_RECORDED_DIR", folder)
    with pytest.raises(ValidationError, match="IASS_SPEECH_RECORDED_DIR"):
        SpeechSettings()


def test_an_unknown_backend_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IASS_SPEECH_BACKEND", "festival")
    with pytest.raises(ValidationError, match="backend"):
        SpeechSettings()
