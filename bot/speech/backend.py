"""What every speech backend offers: `synthesise(text)` giving a prompt WAV, and its identity.

A backend's `name` and `voice` together say which audio the same text would give, so a cache
can tell one backend's prompts from another's.
"""

from __future__ import annotations

from typing import Protocol


class SynthesisError(RuntimeError):
    """A backend could not make the prompt; the message says why and what to check."""


class SpeechBackend(Protocol):
    """Turns text into a RIFF/WAVE PCM, mono, 16-bit, 16 kHz prompt."""

    @property
    def name(self) -> str:
        """Which backend this is, for example "espeak-ng"."""
        ...

    @property
    def voice(self) -> str:
        """The voice it speaks with, for example "en-gb"."""
        ...

    async def synthesise(self, text: str) -> bytes:
        """The prompt WAV for `text`; raises `SynthesisError` when it cannot be made."""
        ...
