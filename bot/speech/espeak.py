"""Offline speech with espeak-ng: run the binary, then resample its 22 050 Hz WAV to 16 kHz.

The text goes to espeak-ng on stdin, never on the command line, so no text can be taken for an
option. `scripts/ensure-espeak` installs the binary.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

from bot.speech.backend import SynthesisError
from bot.speech.wav import PromptFormatError, conform_to_prompt


@dataclass(frozen=True, slots=True)
class EspeakBackend:
    """espeak-ng with a British English voice at a steady speaking rate."""

    voice: str = "en-gb"
    words_per_minute: int = 150
    timeout_seconds: float = 30.0
    executable: str = "espeak-ng"

    @property
    def name(self) -> str:
        return "espeak-ng"

    def _arguments(self) -> tuple[str, ...]:
        return (
            *("-v", self.voice),
            *("-s", str(self.words_per_minute)),
            *("-b", "1"),
            "--stdin",
            "--stdout",
        )

    async def _run(self, text: str) -> bytes:
        try:
            process = await asyncio.create_subprocess_exec(
                self.executable,
                *self._arguments(),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
        except FileNotFoundError as missing:
            raise SynthesisError(
                f"{self.executable} is not installed or not on PATH: run scripts/ensure-espeak"
            ) from missing
        try:
            async with asyncio.timeout(self.timeout_seconds):
                wav, errors = await process.communicate(text.encode())
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
            raise SynthesisError(
                f"{self.executable} did not finish within {self.timeout_seconds:g} s"
            ) from None
        if process.returncode != 0:
            first_line = errors.decode(errors="replace").strip().partition("\n")[0]
            raise SynthesisError(
                f"{self.executable} failed with exit status {process.returncode}: {first_line}"
            )
        return wav

    async def synthesise(self, text: str) -> bytes:
        """The prompt WAV for `text`, spoken by espeak-ng and resampled to 16 kHz."""
        wav = await self._run(text)
        try:
            return await asyncio.to_thread(conform_to_prompt, wav)
        except PromptFormatError as unusable:
            message = f"{self.executable} wrote unusable audio: {unusable}"
            raise SynthesisError(message) from unusable
