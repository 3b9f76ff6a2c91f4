"""Production speech with Azure AI Speech, over its REST text-to-speech endpoint.

One POST of SSML per prompt, asking for `riff-16khz-16bit-mono-pcm`; the answer is checked and
given an exact WAV header before it is used. The key travels only in the
`Ocp-Apim-Subscription-Key` header and never appears in errors or reprs.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Final
from xml.sax.saxutils import escape, quoteattr

import aiohttp
from pydantic import SecretStr

from bot.speech.backend import SynthesisError
from bot.speech.wav import PromptFormatError, conform_to_prompt

OUTPUT_FORMAT: Final = "riff-16khz-16bit-mono-pcm"
USER_AGENT: Final = "iass-meeting-companion"
_REGION: Final = re.compile(r"[a-z0-9]+")
_NOT_XML_CHARACTERS: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def endpoint_for_region(region: str) -> str:
    """The text-to-speech endpoint of an Azure region, such as "uksouth"."""
    if not _REGION.fullmatch(region):
        raise ValueError("an Azure region is lower-case letters and digits, such as uksouth")
    return f"https://{region}.tts.speech.microsoft.com/cognitiveservices/v1"


def ssml_for(text: str, voice: str) -> str:
    """SSML speaking `text` with `voice`; the language is the voice's, such as en-GB."""
    language = "-".join(voice.split("-")[:2])
    spoken = escape(_NOT_XML_CHARACTERS.sub(" ", text))
    return (
        f"<speak version='1.0' xmlns='http://www.w3.org/2001/10/synthesis' "
        f"xml:lang={quoteattr(language)}>"
        f"<voice name={quoteattr(voice)}>{spoken}</voice></speak>"
    )


def _failure(status: int) -> SynthesisError:
    if status == 401:
        return SynthesisError(
            "Azure AI Speech refused the key (401 Unauthorized): check IASS_SPEECH_AZURE_KEY "
            "and that IASS_SPEECH_AZURE_REGION is the Speech resource's region"
        )
    if status == 429:
        return SynthesisError("Azure AI Speech is rate-limiting this resource (429)")
    return SynthesisError(f"Azure AI Speech answered HTTP {status}")


@dataclass(frozen=True, slots=True)
class AzureSpeechBackend:
    """Azure AI Speech at `endpoint` with a neural voice."""

    key: SecretStr
    endpoint: str
    voice: str = "en-GB-SoniaNeural"
    timeout_seconds: float = 30.0

    @property
    def name(self) -> str:
        return "azure"

    def _headers(self) -> dict[str, str]:
        return {
            "Ocp-Apim-Subscription-Key": self.key.get_secret_value(),
            "Content-Type": "application/ssml+xml; charset=utf-8",
            "X-Microsoft-OutputFormat": OUTPUT_FORMAT,
            "User-Agent": USER_AGENT,
        }

    async def _fetch(self, text: str) -> bytes:
        timeout = aiohttp.ClientTimeout(total=self.timeout_seconds)
        body = ssml_for(text, self.voice).encode()
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.post(self.endpoint, data=body, headers=self._headers()) as response,
            ):
                if response.status != 200:
                    raise _failure(response.status)
                return await response.read()
        except (aiohttp.ClientError, TimeoutError) as unreachable:
            raise SynthesisError(
                f"Azure AI Speech could not be reached: {type(unreachable).__name__}"
            ) from unreachable

    async def synthesise(self, text: str) -> bytes:
        """The prompt WAV for `text`, spoken by the Azure voice."""
        wav = await self._fetch(text)
        try:
            return await asyncio.to_thread(conform_to_prompt, wav)
        except PromptFormatError as unusable:
            message = f"Azure AI Speech sent unusable audio: {unusable}"
            raise SynthesisError(message) from unusable
