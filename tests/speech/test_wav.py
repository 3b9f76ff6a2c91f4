"""The prompt format: only RIFF/WAVE PCM, mono, 16-bit, 16 kHz passes, and other PCM converts."""

from __future__ import annotations

import pytest

from bot.speech.wav import (
    PROMPT_SAMPLE_RATE,
    PromptFormatError,
    conform_to_prompt,
    decode_pcm16_mono,
    validate_prompt_wav,
)

from .audio import as_streamed, chunk_past_the_end, float_wav_file, wav_file


def test_a_prompt_passes_and_gives_its_duration() -> None:
    assert validate_prompt_wav(wav_file(seconds=0.5)) == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("data", "complaint"),
    [
        pytest.param(wav_file(rate=22_050), "22050 Hz", id="22.05 kHz"),
        pytest.param(wav_file(rate=8_000), "8000 Hz", id="8 kHz"),
        pytest.param(wav_file(channels=2), "2 channels", id="stereo"),
        pytest.param(wav_file(sample_width=1), "8-bit", id="8-bit"),
        pytest.param(float_wav_file(), "not a PCM WAV", id="32-bit float"),
        pytest.param(b"ID3\x04\x00" + bytes(200), "not a PCM WAV", id="mp3"),
        pytest.param(b"<speak>not audio</speak>", "not a PCM WAV", id="text"),
        pytest.param(b"", "ends inside its header", id="empty"),
        pytest.param(wav_file()[:30], "ends inside its header", id="cut in header"),
        pytest.param(wav_file()[:-100], "truncated", id="cut in data"),
        pytest.param(wav_file(seconds=0), "no audio", id="silent"),
        pytest.param(as_streamed(wav_file()), "truncated", id="unknown length"),
        pytest.param(chunk_past_the_end(), "runs past the end", id="chunk past the end"),
    ],
)
def test_anything_else_is_refused_with_the_reason(data: bytes, complaint: str) -> None:
    with pytest.raises(PromptFormatError, match=complaint):
        validate_prompt_wav(data)


def test_a_streamed_wav_is_read_to_the_end_of_its_data() -> None:
    audio = decode_pcm16_mono(as_streamed(wav_file(rate=22_050, seconds=0.5)))
    assert audio.sample_rate == 22_050
    assert audio.duration_seconds == pytest.approx(0.5)


@pytest.mark.parametrize("rate", [22_050, 24_000, 16_000, 8_000])
def test_mono_16_bit_pcm_at_any_rate_conforms_to_a_prompt(rate: int) -> None:
    prompt = conform_to_prompt(as_streamed(wav_file(rate=rate, seconds=0.5)))
    assert validate_prompt_wav(prompt) == pytest.approx(0.5, abs=1 / PROMPT_SAMPLE_RATE)


@pytest.mark.parametrize(
    "data",
    [
        wav_file(channels=2),
        wav_file(sample_width=1),
        float_wav_file(),
        b"nonsense",
        wav_file(rate=4_000),
        wav_file(rate=384_000, seconds=0.01),
    ],
    ids=["stereo", "8-bit", "float", "not a WAV", "4 kHz", "384 kHz"],
)
def test_only_mono_16_bit_pcm_at_an_audio_rate_can_be_conformed(data: bytes) -> None:
    with pytest.raises(PromptFormatError):
        conform_to_prompt(data)
