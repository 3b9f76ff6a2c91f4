"""The prompts the bot serves for Teams to fetch and play: `GET /prompts/{key}.wav`.

A prompt is synthesised by the speech backend and kept in memory under the SHA-256 of its WAV
bytes, so its URL cannot be guessed and never changes meaning (it is served as immutable).
URLs are under the configured public URL, which must be https outside the sandbox (Graph
fetches prompts only over https; the sandbox also accepts http on a loopback address).
Prompts live in the instance that made them: behind a load balancer, route `/prompts/` to the
instance that asked Graph to play them (or share the shelf).
"""

from __future__ import annotations

import hashlib
import io
import wave
from collections import OrderedDict
from dataclasses import dataclass
from typing import Final

from aiohttp import web

from bot.speech.backend import SpeechBackend, SynthesisError

PROMPTS_PATH: Final = "/prompts"
WAV_CONTENT_TYPE: Final = "audio/wav"
PROMPTS_KEPT: Final = 64


@dataclass(frozen=True, slots=True)
class PublishedPrompt:
    """A prompt ready to be played: its key (the WAV's SHA-256), the URL it is served at and
    how long it plays."""

    key: str
    url: str
    seconds: float


def wav_seconds(wav: bytes) -> float:
    """How long a WAV plays; `SynthesisError` when the backend's prompt is not a WAV."""
    try:
        with wave.open(io.BytesIO(wav), "rb") as reader:
            return reader.getnframes() / reader.getframerate()
    except (wave.Error, EOFError, ZeroDivisionError) as error:
        raise SynthesisError(
            f"the speech backend's prompt is not a readable WAV ({error})"
        ) from None


class PromptShelf:
    """Synthesised prompts by key, the most recent `max_prompts` of them."""

    def __init__(
        self, speech: SpeechBackend, public_url: str, max_prompts: int = PROMPTS_KEPT
    ) -> None:
        if max_prompts < 1:
            raise ValueError("the shelf must hold at least one prompt")
        self._speech = speech
        self._base_url = public_url.rstrip("/") + PROMPTS_PATH
        self._max_prompts = max_prompts
        self._prompts: OrderedDict[str, bytes] = OrderedDict()

    async def publish(self, text: str) -> PublishedPrompt:
        """Synthesise `text` (raises the backend's `SynthesisError`) and serve the WAV."""
        wav = await self._speech.synthesise(text)
        seconds = wav_seconds(wav)
        key = hashlib.sha256(wav).hexdigest()
        self._prompts[key] = wav
        self._prompts.move_to_end(key)
        while len(self._prompts) > self._max_prompts:
            self._prompts.popitem(last=False)
        return PublishedPrompt(key, f"{self._base_url}/{key}.wav", seconds)

    def get(self, key: str) -> bytes | None:
        return self._prompts.get(key)


def attach_prompts(app: web.Application, shelf: PromptShelf) -> None:
    """Serve the shelf's prompts at `/prompts/{key}.wav` on `app` (the root application)."""

    async def serve(request: web.Request) -> web.Response:
        wav = shelf.get(request.match_info["key"])
        if wav is None:
            raise web.HTTPNotFound()
        return web.Response(
            body=wav,
            content_type=WAV_CONTENT_TYPE,
            headers={"Cache-Control": "public, max-age=86400, immutable"},
        )

    app.router.add_get(PROMPTS_PATH + "/{key:[0-9a-f]{64}}.wav", serve)
