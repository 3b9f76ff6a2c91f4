"""Keep recently made prompts in memory, so a repeated announcement is not synthesised again.

Prompts are keyed by the SHA-256 of (backend, voice, text); the least recently used prompt is
dropped once `max_prompts` are held. The text itself is not kept as a key.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict

from bot.speech.backend import SpeechBackend


def prompt_cache_key(backend: str, voice: str, text: str) -> str:
    """The SHA-256, in hex, of the backend, voice and text, each kept distinct from the others."""
    return hashlib.sha256(json.dumps([backend, voice, text]).encode()).hexdigest()


class CachedSpeech:
    """A speech backend whose recent prompts are answered from memory."""

    def __init__(self, backend: SpeechBackend, max_prompts: int = 32) -> None:
        if max_prompts < 1:
            raise ValueError("the cache must hold at least one prompt")
        self._backend = backend
        self._max_prompts = max_prompts
        self._prompts: OrderedDict[str, bytes] = OrderedDict()

    @property
    def name(self) -> str:
        return self._backend.name

    @property
    def voice(self) -> str:
        return self._backend.voice

    async def synthesise(self, text: str) -> bytes:
        """The prompt for `text`, made by the backend only when it is not already held."""
        key = prompt_cache_key(self.name, self.voice, text)
        if key in self._prompts:
            self._prompts.move_to_end(key)
            return self._prompts[key]
        prompt = await self._backend.synthesise(text)
        self._prompts[key] = prompt
        if len(self._prompts) > self._max_prompts:
            self._prompts.popitem(last=False)
        return prompt
