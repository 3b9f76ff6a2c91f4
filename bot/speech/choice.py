"""Build the speech backend the settings choose, wrapped in the prompt cache."""

from __future__ import annotations

from typing import assert_never

from bot.speech.azure import AzureSpeechBackend, endpoint_for_region
from bot.speech.backend import SpeechBackend
from bot.speech.cache import CachedSpeech
from bot.speech.espeak import EspeakBackend
from bot.speech.recorded import RecordedPrompts
from bot.speech.settings import BackendChoice, SpeechSettings


def _backend(settings: SpeechSettings) -> SpeechBackend:
    match settings.backend:
        case BackendChoice.ESPEAK:
            return EspeakBackend()
        case BackendChoice.AZURE:
            return AzureSpeechBackend(
                key=settings.azure_key,
                endpoint=endpoint_for_region(settings.azure_region),
                voice=settings.azure_voice,
            )
        case BackendChoice.RECORDED:
            if settings.recorded_dir is None:
                raise ValueError("IASS_SPEECH_BACKEND=recorded needs IASS_SPEECH_RECORDED_DIR")
            return RecordedPrompts(settings.recorded_dir)
        case unknown:
            assert_never(unknown)


def speech_from_settings(settings: SpeechSettings) -> CachedSpeech:
    """The configured backend behind an in-memory prompt cache."""
    return CachedSpeech(_backend(settings))
