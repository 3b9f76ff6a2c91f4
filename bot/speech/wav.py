"""The prompt format Graph's playPrompt accepts, RIFF/WAVE PCM, mono, 16-bit, 16 kHz.

Checks a prompt strictly, and turns any 16-bit mono PCM WAV into a prompt: a streamed WAV
whose header gives no true length (as `espeak-ng --stdout` writes) is read to its end, another
sample rate is resampled, and the result gets an exact header.
"""

from __future__ import annotations

import io
import wave
from array import array
from dataclasses import dataclass
from typing import Final

from bot.speech.resample import resample

PROMPT_SAMPLE_RATE: Final = 16_000
PROMPT_SAMPLE_WIDTH: Final = 2
PROMPT_CHANNELS: Final = 1
MIN_SOURCE_RATE: Final = 8_000
MAX_SOURCE_RATE: Final = 192_000


class PromptFormatError(ValueError):
    """The audio is not a WAV that playPrompt can play."""


@dataclass(frozen=True, slots=True)
class Pcm16Audio:
    """Mono 16-bit samples (array typecode "h", native byte order) and their sample rate.

    `wave` converts between the file's little-endian order and native order itself.
    """

    sample_rate: int
    samples: array[int]

    @property
    def duration_seconds(self) -> float:
        return len(self.samples) / self.sample_rate


@dataclass(frozen=True, slots=True)
class _WavHeader:
    channels: int
    sample_width: int
    sample_rate: int
    declared_frames: int


def _read(data: bytes) -> tuple[_WavHeader, bytes]:
    """The header and every sample byte present, whatever length the header declares."""
    try:
        with wave.open(io.BytesIO(data), "rb") as reader:
            header = _WavHeader(
                channels=reader.getnchannels(),
                sample_width=reader.getsampwidth(),
                sample_rate=reader.getframerate(),
                declared_frames=reader.getnframes(),
            )
            frames = reader.readframes(header.declared_frames)
    except EOFError as short:
        raise PromptFormatError("not a WAV file: it ends inside its header") from short
    except wave.Error as unreadable:
        raise PromptFormatError(f"not a PCM WAV file: {unreadable}") from unreadable
    except RuntimeError as misshapen:
        # `wave` raises a bare RuntimeError when a chunk claims to run past the end of the data.
        raise PromptFormatError("not a WAV file: a chunk runs past the end") from misshapen
    return header, frames


def _check_mono_16_bit(header: _WavHeader) -> None:
    if header.channels != PROMPT_CHANNELS:
        raise PromptFormatError(f"WAV has {header.channels} channels; prompts must be mono")
    if header.sample_width != PROMPT_SAMPLE_WIDTH:
        raise PromptFormatError(
            f"WAV has {8 * header.sample_width}-bit samples; prompts must be 16-bit"
        )


def _samples_of(frames: bytes) -> array[int]:
    """Samples from frames `wave` has already put in native byte order, minus any odd byte."""
    return array("h", frames[: len(frames) - len(frames) % PROMPT_SAMPLE_WIDTH])


def validate_prompt_wav(data: bytes) -> float:
    """Check that `data` is a complete RIFF/WAVE PCM, mono, 16-bit, 16 kHz file with sound.

    Returns its duration in seconds; raises `PromptFormatError` saying what is wrong.
    """
    header, frames = _read(data)
    _check_mono_16_bit(header)
    if header.sample_rate != PROMPT_SAMPLE_RATE:
        raise PromptFormatError(
            f"WAV is sampled at {header.sample_rate} Hz; prompts must be {PROMPT_SAMPLE_RATE} Hz"
        )
    if header.declared_frames == 0:
        raise PromptFormatError("WAV holds no audio")
    if len(frames) != header.declared_frames * PROMPT_SAMPLE_WIDTH:
        raise PromptFormatError("WAV is truncated: it holds fewer samples than its header says")
    return header.declared_frames / PROMPT_SAMPLE_RATE


def decode_pcm16_mono(data: bytes) -> Pcm16Audio:
    """The samples of a mono 16-bit PCM WAV at an audio rate (8 to 192 kHz), read to the end."""
    header, frames = _read(data)
    _check_mono_16_bit(header)
    if not MIN_SOURCE_RATE <= header.sample_rate <= MAX_SOURCE_RATE:
        raise PromptFormatError(f"WAV is sampled at {header.sample_rate} Hz, not an audio rate")
    return Pcm16Audio(sample_rate=header.sample_rate, samples=_samples_of(frames))


def encode_prompt_wav(audio: Pcm16Audio) -> bytes:
    """A prompt WAV with an exact header; the audio must already be at 16 kHz."""
    if audio.sample_rate != PROMPT_SAMPLE_RATE:
        raise ValueError(f"audio must be at {PROMPT_SAMPLE_RATE} Hz to be a prompt")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(PROMPT_CHANNELS)
        writer.setsampwidth(PROMPT_SAMPLE_WIDTH)
        writer.setframerate(PROMPT_SAMPLE_RATE)
        writer.writeframes(audio.samples.tobytes())
    return buffer.getvalue()


def conform_to_prompt(data: bytes) -> bytes:
    """A mono 16-bit PCM WAV at any rate, as a checked prompt WAV at 16 kHz."""
    audio = decode_pcm16_mono(data)
    prompt = encode_prompt_wav(
        Pcm16Audio(
            sample_rate=PROMPT_SAMPLE_RATE,
            samples=resample(audio.samples, audio.sample_rate, PROMPT_SAMPLE_RATE),
        )
    )
    validate_prompt_wav(prompt)
    return prompt
