"""The prompt cache: a repeated text is synthesised once per backend and voice."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from bot.speech.cache import CachedSpeech, prompt_cache_key


@dataclass
class CountingBackend:
    """A backend that returns the text as bytes and counts what it was asked to say."""

    name: str = "counting"
    voice: str = "plain"
    asked: list[str] = field(default_factory=list)

    async def synthesise(self, text: str) -> bytes:
        self.asked.append(text)
        return f"{self.voice}:{text}".encode()


async def test_a_repeated_text_is_synthesised_once() -> None:
    backend = CountingBackend()
    speech = CachedSpeech(backend)
    first = await speech.synthesise("Hello.")
    again = await speech.synthesise("Hello.")
    assert first == again == b"plain:Hello."
    assert backend.asked == ["Hello."]


async def test_the_least_recently_used_prompt_is_dropped_when_full() -> None:
    backend = CountingBackend()
    speech = CachedSpeech(backend, max_prompts=2)
    for text in ("one", "two", "one", "three", "one", "two"):
        await speech.synthesise(text)
    assert backend.asked == ["one", "two", "three", "two"]


def test_the_key_tells_backends_voices_and_texts_apart() -> None:
    keys = {
        prompt_cache_key("espeak-ng", "en-gb", "Hello."),
        prompt_cache_key("azure", "en-gb", "Hello."),
        prompt_cache_key("espeak-ng", "en-us", "Hello."),
        prompt_cache_key("espeak-ng", "en-gb", "Hello"),
        prompt_cache_key("espeak-ng", "en-gbH", "ello."),
    }
    assert len(keys) == 5
    assert all(len(key) == 64 for key in keys)


def test_it_answers_for_the_backend_it_wraps() -> None:
    speech = CachedSpeech(CountingBackend(name="azure", voice="en-GB-SoniaNeural"))
    assert (speech.name, speech.voice) == ("azure", "en-GB-SoniaNeural")


def test_it_holds_at_least_one_prompt() -> None:
    with pytest.raises(ValueError, match="at least one"):
        CachedSpeech(CountingBackend(), max_prompts=0)
