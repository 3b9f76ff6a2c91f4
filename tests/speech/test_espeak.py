"""espeak-ng, the real binary (`scripts/ensure-espeak` installs it), gives prompts Graph plays."""

from __future__ import annotations

import pytest

from bot.speech.backend import SynthesisError
from bot.speech.espeak import EspeakBackend
from bot.speech.wav import validate_prompt_wav

SENTENCE = "Priya Castellano from the SEND information, advice and support service is here."


async def test_a_sentence_becomes_a_16_khz_mono_16_bit_prompt_of_plausible_length() -> None:
    prompt = await EspeakBackend().synthesise(SENTENCE)
    duration = validate_prompt_wav(prompt)
    assert 2.0 < duration < 15.0


async def test_a_longer_text_takes_longer_to_say() -> None:
    backend = EspeakBackend()
    short = validate_prompt_wav(await backend.synthesise("Thank you."))
    long = validate_prompt_wav(await backend.synthesise(f"{SENTENCE} {SENTENCE}"))
    assert long > short + 2.0


async def test_text_that_looks_like_an_option_is_spoken_not_obeyed() -> None:
    prompt = await EspeakBackend().synthesise("--version -w /tmp/overwritten.wav")
    assert validate_prompt_wav(prompt) > 1.0


async def test_a_missing_binary_says_how_to_install_it() -> None:
    backend = EspeakBackend(executable="/nonexistent/espeak-ng")
    with pytest.raises(SynthesisError, match="scripts/ensure-espeak"):
        await backend.synthesise(SENTENCE)


async def test_an_unknown_voice_is_reported_with_espeak_ngs_reason() -> None:
    with pytest.raises(SynthesisError, match=r"exit status 1: .*voice does not exist"):
        await EspeakBackend(voice="xx-nonexistent").synthesise(SENTENCE)


async def test_a_run_past_the_timeout_is_stopped() -> None:
    backend = EspeakBackend(timeout_seconds=0.001)
    with pytest.raises(SynthesisError, match="did not finish"):
        await backend.synthesise(SENTENCE * 20)


def test_it_names_itself_and_its_voice_for_the_cache() -> None:
    backend = EspeakBackend()
    assert (backend.name, backend.voice) == ("espeak-ng", "en-gb")
