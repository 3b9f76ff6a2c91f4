"""Prompts as Teams plays them: the WAV is fetched from the bot's URL and must be RIFF WAVE,
PCM, mono, 16-bit, 16 kHz; anything else is refused with the reason."""

from __future__ import annotations

import io
import wave

import aiohttp

REQUIRED_FORMAT = "RIFF WAVE, PCM, mono, 16-bit, 16 kHz"
FETCH_TIMEOUT_SECONDS = 10.0
MAX_PROMPT_BYTES = 20 * 1024 * 1024


class PromptProblemError(Exception):
    """The prompt cannot be played; the message says why."""


def wav_duration_seconds(data: bytes) -> float:
    """How long the WAV plays, or `PromptProblemError` when it is not in the one format Teams
    plays."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise PromptProblemError(f"The prompt is not a RIFF WAVE file; needed: {REQUIRED_FORMAT}.")
    try:
        with wave.open(io.BytesIO(data), "rb") as reader:
            channels = reader.getnchannels()
            sample_width = reader.getsampwidth()
            rate = reader.getframerate()
            frames = reader.getnframes()
    except (wave.Error, EOFError) as error:
        raise PromptProblemError(
            f"The WAV is not PCM ({error}); needed: {REQUIRED_FORMAT}."
        ) from error
    found = f"{channels} channel(s), {8 * sample_width}-bit, {rate} Hz"
    if (channels, sample_width, rate) != (1, 2, 16000):
        raise PromptProblemError(f"The WAV is {found}; needed: {REQUIRED_FORMAT}.")
    return frames / rate


async def fetch_prompt(session: aiohttp.ClientSession, uri: str) -> bytes:
    """The prompt's bytes, or `PromptProblemError` when they cannot be fetched."""
    try:
        async with session.get(
            uri, timeout=aiohttp.ClientTimeout(total=FETCH_TIMEOUT_SECONDS)
        ) as response:
            if response.status != 200:
                raise PromptProblemError(f"Fetching the prompt answered HTTP {response.status}.")
            data = await response.content.read(MAX_PROMPT_BYTES + 1)
    except (aiohttp.ClientError, TimeoutError) as error:
        raise PromptProblemError(
            f"The prompt could not be fetched ({type(error).__name__})."
        ) from error
    if len(data) > MAX_PROMPT_BYTES:
        raise PromptProblemError("The prompt is larger than the sandbox accepts (20 MB).")
    return data
