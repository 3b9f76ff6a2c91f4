"""Recorded prompts: a folder of WAV files, one per phrase, named by the phrase's key.

A phrase's key is the first 16 hex digits of the SHA-256 of its text with runs of whitespace
made single spaces, so `<key>.wav` is found from the text alone and file names carry no words
of the text. Each file must already be a prompt WAV (mono, 16-bit, 16 kHz PCM).
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from pathlib import Path

from bot.speech.backend import SynthesisError
from bot.speech.wav import PromptFormatError, validate_prompt_wav

KEY_LENGTH = 16


def phrase_key(text: str) -> str:
    """The key naming the recording of `text`."""
    normalised = " ".join(text.split())
    return hashlib.sha256(normalised.encode()).hexdigest()[:KEY_LENGTH]


@dataclass(frozen=True, slots=True)
class RecordedPrompts:
    """Prompts read from `directory`, each checked to be a prompt WAV."""

    directory: Path

    @property
    def name(self) -> str:
        return "recorded"

    @property
    def voice(self) -> str:
        return str(self.directory)

    async def synthesise(self, text: str) -> bytes:
        """The recording of `text`; raises `SynthesisError` naming the file when it is unusable."""
        file_name = f"{phrase_key(text)}.wav"
        try:
            wav = await asyncio.to_thread((self.directory / file_name).read_bytes)
        except FileNotFoundError as missing:
            raise SynthesisError(f"no recorded prompt {file_name} in {self.directory}") from missing
        try:
            validate_prompt_wav(wav)
        except PromptFormatError as unusable:
            message = f"recorded prompt {file_name} is unusable: {unusable}"
            raise SynthesisError(message) from unusable
        return wav
