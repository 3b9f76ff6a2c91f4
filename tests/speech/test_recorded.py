"""Recorded prompts: found by the phrase key of their text, and checked before use."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.speech.backend import SynthesisError
from bot.speech.recorded import RecordedPrompts, phrase_key

from .audio import wav_file

PHRASE = "Recording is not permitted in this meeting."


def test_the_key_ignores_how_the_text_is_spaced_and_holds_none_of_its_words() -> None:
    key = phrase_key(PHRASE)
    assert key == phrase_key("  Recording is not\npermitted  in this meeting. ")
    assert key != phrase_key("Recording is permitted in this meeting.")
    assert len(key) == 16
    assert all(ch in "0123456789abcdef" for ch in key)


async def test_a_valid_recording_is_returned_as_it_is(tmp_path: Path) -> None:
    recording = wav_file(seconds=1.0)
    (tmp_path / f"{phrase_key(PHRASE)}.wav").write_bytes(recording)
    assert await RecordedPrompts(tmp_path).synthesise(PHRASE) == recording


@pytest.mark.parametrize(
    "recording",
    [wav_file(rate=44_100), wav_file(channels=2), wav_file(sample_width=1), b"not audio"],
    ids=["44.1 kHz", "stereo", "8-bit", "not a WAV"],
)
async def test_a_recording_in_the_wrong_format_is_refused(tmp_path: Path, recording: bytes) -> None:
    file_name = f"{phrase_key(PHRASE)}.wav"
    (tmp_path / file_name).write_bytes(recording)
    with pytest.raises(SynthesisError, match=f"{file_name} is unusable"):
        await RecordedPrompts(tmp_path).synthesise(PHRASE)


async def test_a_missing_recording_is_named_by_its_file(tmp_path: Path) -> None:
    with pytest.raises(SynthesisError, match=f"no recorded prompt {phrase_key(PHRASE)}.wav"):
        await RecordedPrompts(tmp_path).synthesise(PHRASE)
