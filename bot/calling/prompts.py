"""The prompts the bot serves for Teams to fetch and play: `GET /prompts/{key}/{sealed}.wav`.

A prompt is synthesised by the speech backend and kept in memory under the SHA-256 of its WAV
bytes, so its URL cannot be guessed and never changes meaning (it is served as immutable).
URLs are under the configured public URL, which must be https outside the sandbox (Graph
fetches prompts only over https; the sandbox also accepts http on a loopback address).

Behind a load balancer Teams may fetch a prompt from an instance that did not make it, so the
URL also carries the prompt's text, sealed with the store's encryption key (AES-256-GCM, bound
to the key): the text names the staff member, so it is never readable in the URL, a proxy's
log or Teams' cache. An instance that does not hold the key on its shelf opens the text and
synthesises it again (the same text and speech backend give the same words), keeps it, and
serves it; a URL whose sealed text does not open under this key is not found.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import logging
import wave
from collections import OrderedDict
from dataclasses import dataclass
from typing import Final

from aiohttp import web

from bot.speech.backend import SpeechBackend, SynthesisError
from consent_store.crypto import FieldCipher, UnreadableField
from consent_store.unit_of_work import seal_context

log = logging.getLogger(__name__)

PROMPTS_PATH: Final = "/prompts"
WAV_CONTENT_TYPE: Final = "audio/wav"
PROMPTS_KEPT: Final = 64
SEALED_TEXT: Final = ("prompts", "text")
"""The table and column a prompt's sealed text is bound to (with its key as the row)."""


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
    """Synthesised prompts by key, the most recent `max_prompts` of them; a prompt made by
    another instance sharing `cipher`'s keys is made again from the text its URL seals."""

    def __init__(
        self,
        speech: SpeechBackend,
        public_url: str,
        cipher: FieldCipher,
        max_prompts: int = PROMPTS_KEPT,
    ) -> None:
        if max_prompts < 1:
            raise ValueError("the shelf must hold at least one prompt")
        self._speech = speech
        self._cipher = cipher
        self._base_url = public_url.rstrip("/") + PROMPTS_PATH
        self._max_prompts = max_prompts
        self._prompts: OrderedDict[str, bytes] = OrderedDict()

    async def publish(self, text: str) -> PublishedPrompt:
        """Synthesise `text` (raises the backend's `SynthesisError`) and serve the WAV."""
        wav = await self._speech.synthesise(text)
        seconds = wav_seconds(wav)
        key = hashlib.sha256(wav).hexdigest()
        self._keep(key, wav)
        sealed = self._cipher.encrypt(text, context=seal_context(*SEALED_TEXT, key))
        token = base64.urlsafe_b64encode(sealed).decode().rstrip("=")
        return PublishedPrompt(key, f"{self._base_url}/{key}/{token}.wav", seconds)

    def get(self, key: str) -> bytes | None:
        """The prompt's WAV if this instance holds it."""
        return self._prompts.get(key)

    async def fetch(self, key: str, token: str) -> bytes | None:
        """The prompt's WAV: held, or made again from the text `token` seals for `key`; None
        when the token does not open. Raises `SynthesisError` when the backend fails."""
        held = self._prompts.get(key)
        if held is not None:
            return held
        try:
            sealed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            text = self._cipher.decrypt(sealed, context=seal_context(*SEALED_TEXT, key))
        except (binascii.Error, ValueError, UnreadableField):
            return None
        wav = await self._speech.synthesise(text)
        wav_seconds(wav)
        if hashlib.sha256(wav).hexdigest() != key:
            log.warning("prompt %s made again differs in its bytes from the first", key)
        self._keep(key, wav)
        return wav

    def _keep(self, key: str, wav: bytes) -> None:
        self._prompts[key] = wav
        self._prompts.move_to_end(key)
        while len(self._prompts) > self._max_prompts:
            self._prompts.popitem(last=False)


def attach_prompts(app: web.Application, shelf: PromptShelf) -> None:
    """Serve the shelf's prompts at `/prompts/{key}/{sealed}.wav` on `app` (the root
    application). A prompt the speech backend cannot make again answers 503, so Teams may
    fetch it later."""

    async def serve(request: web.Request) -> web.Response:
        try:
            wav = await shelf.fetch(request.match_info["key"], request.match_info["token"])
        except SynthesisError:
            raise web.HTTPServiceUnavailable() from None
        if wav is None:
            raise web.HTTPNotFound()
        return web.Response(
            body=wav,
            content_type=WAV_CONTENT_TYPE,
            headers={"Cache-Control": "public, max-age=86400, immutable"},
        )

    app.router.add_get(PROMPTS_PATH + "/{key:[0-9a-f]{64}}/{token:[A-Za-z0-9_-]+}.wav", serve)
