"""Resampling keeps speech-band tones at their level and removes what 16 kHz cannot hold."""

from __future__ import annotations

from array import array

import pytest

from bot.speech.resample import resample

from .audio import peak, tone


def test_a_speech_band_tone_keeps_its_level() -> None:
    resampled = resample(tone(440, rate=22_050, seconds=0.5), 22_050, 16_000)
    assert peak(resampled) == pytest.approx(10_000, rel=0.02)


def test_a_tone_above_the_new_nyquist_frequency_is_removed_not_folded_back() -> None:
    resampled = resample(tone(10_000, rate=22_050, seconds=0.5), 22_050, 16_000)
    assert peak(resampled) < 200


def test_the_length_follows_the_ratio_of_the_rates() -> None:
    assert len(resample(tone(440, rate=22_050, seconds=1), 22_050, 16_000)) == 16_000
    assert len(resample(tone(440, rate=8_000, seconds=1), 8_000, 16_000)) == 16_000


def test_full_scale_audio_is_clipped_not_wrapped_round() -> None:
    square = array("h", ([32_767] * 20 + [-32_768] * 20) * 200)
    resampled = resample(square, 22_050, 16_000)
    assert max(resampled) == 32_767
    assert min(resampled) == -32_768


def test_the_same_rate_gives_a_copy() -> None:
    samples = tone(440, rate=16_000, seconds=0.1)
    copied = resample(samples, 16_000, 16_000)
    assert copied == samples
    assert copied is not samples


def test_rates_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        resample(array("h"), 0, 16_000)
