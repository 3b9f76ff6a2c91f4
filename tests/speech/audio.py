"""Builders for test audio: tones written as WAV files of any layout, and their loudness."""

from __future__ import annotations

import io
import math
import struct
import wave
from array import array


def tone(frequency: float, *, rate: int, seconds: float, level: int = 10_000) -> array[int]:
    """A sine tone as 16-bit samples."""
    return array(
        "h",
        (
            round(level * math.sin(2 * math.pi * frequency * n / rate))
            for n in range(round(rate * seconds))
        ),
    )


def wav_file(
    *, rate: int = 16_000, channels: int = 1, sample_width: int = 2, seconds: float = 0.5
) -> bytes:
    """A WAV of a 440 Hz tone in the given layout, written by the stdlib `wave` module."""
    samples = tone(440, rate=rate, seconds=seconds)
    if sample_width == 1:
        frames = bytes((s // 256 + 128) for s in samples for _ in range(channels))
    else:
        frames = array("h", (s for s in samples for _ in range(channels))).tobytes()
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(sample_width)
        writer.setframerate(rate)
        writer.writeframes(frames)
    return buffer.getvalue()


def float_wav_file(*, rate: int = 16_000, frames: int = 800) -> bytes:
    """A mono 32-bit float WAV (format tag 3), which is not PCM."""
    data = struct.pack(f"<{frames}f", *(0.0 for _ in range(frames)))
    fmt = struct.pack("<HHIIHH", 3, 1, rate, rate * 4, 4, 32)
    chunks = b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data"
    chunks += struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


def chunk_past_the_end() -> bytes:
    """A WAV whose "fmt " chunk is followed by a chunk claiming more bytes than the file holds."""
    wav = wav_file(seconds=0.01)
    return wav[:36] + b"LIST" + struct.pack("<I", 1_000_000) + wav[44:]


def as_streamed(wav: bytes) -> bytes:
    """The WAV with the unknown-length sizes a streaming writer such as espeak-ng puts in."""
    unknown = struct.pack("<I", 0x7FFFF000)
    return wav[:4] + unknown + wav[8:40] + unknown + wav[44:]


def peak(samples: array[int], *, margin: int = 200) -> int:
    """The loudest sample, ignoring `margin` samples at each end where filters settle."""
    return max(abs(s) for s in samples[margin:-margin])
