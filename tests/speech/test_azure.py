"""Azure AI Speech over REST, against a local fake of the text-to-speech endpoint (no Azure)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from bot.speech.azure import AzureSpeechBackend, endpoint_for_region, ssml_for
from bot.speech.backend import SynthesisError
from bot.speech.wav import validate_prompt_wav

from .audio import as_streamed, wav_file

KEY = "fake-speech-key-0123456789"
SSML_NAMESPACE = "{http://www.w3.org/2001/10/synthesis}"


@dataclass
class FakeAzure:
    """Answers like the endpoint: 401 for a wrong key, otherwise `reply_status` and `reply`."""

    reply_status: int = 200
    reply: bytes = field(default_factory=lambda: wav_file(seconds=0.5))
    headers: list[dict[str, str]] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        self.headers.append(dict(request.headers))
        self.bodies.append(await request.read())
        if request.headers.get("Ocp-Apim-Subscription-Key") != KEY:
            return web.Response(status=401)
        return web.Response(status=self.reply_status, body=self.reply, content_type="audio/x-wav")


@dataclass(frozen=True)
class Endpoint:
    fake: FakeAzure
    url: str

    def backend(self, key: str = KEY) -> AzureSpeechBackend:
        return AzureSpeechBackend(key=SecretStr(key), endpoint=self.url, voice="en-GB-SoniaNeural")


@pytest.fixture
async def azure() -> AsyncIterator[Endpoint]:
    fake = FakeAzure()
    app = web.Application()
    app.router.add_post("/cognitiveservices/v1", fake.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield Endpoint(fake, str(server.make_url("/cognitiveservices/v1")))
    await server.close()


async def test_it_sends_the_key_the_output_format_and_ssml(azure: Endpoint) -> None:
    prompt = await azure.backend().synthesise("Hello from the service.")
    assert validate_prompt_wav(prompt) == pytest.approx(0.5)
    (headers,) = azure.fake.headers
    assert headers["Ocp-Apim-Subscription-Key"] == KEY
    assert headers["X-Microsoft-OutputFormat"] == "riff-16khz-16bit-mono-pcm"
    assert headers["Content-Type"].startswith("application/ssml+xml")
    assert headers["User-Agent"] == "iass-meeting-companion"


async def test_markup_characters_in_the_text_are_escaped_in_the_ssml(azure: Endpoint) -> None:
    await azure.backend().synthesise('Smith & <Jones> said "it\'s" fine')
    (body,) = azure.fake.bodies
    assert b"Smith &amp; &lt;Jones&gt;" in body
    speak = ET.fromstring(body)  # noqa: S314 (the backend's own SSML, parsed in a test)
    voice = speak.find(f"{SSML_NAMESPACE}voice")
    assert voice is not None
    assert voice.get("name") == "en-GB-SoniaNeural"
    assert voice.text == 'Smith & <Jones> said "it\'s" fine'
    assert speak.get("{http://www.w3.org/XML/1998/namespace}lang") == "en-GB"


async def test_a_wrong_key_gives_a_clear_error_without_the_key(azure: Endpoint) -> None:
    with pytest.raises(SynthesisError, match="refused the key \\(401") as refused:
        await azure.backend(key="wrong-key-secret").synthesise("Hello.")
    assert "wrong-key-secret" not in str(refused.value)
    assert "wrong-key-secret" not in repr(azure.backend(key="wrong-key-secret"))


async def test_other_http_errors_are_reported_by_status(azure: Endpoint) -> None:
    azure.fake.reply_status = 429
    with pytest.raises(SynthesisError, match="429"):
        await azure.backend().synthesise("Hello.")


async def test_audio_with_a_streamed_header_or_another_rate_is_conformed(azure: Endpoint) -> None:
    azure.fake.reply = as_streamed(wav_file(rate=24_000, seconds=0.5))
    prompt = await azure.backend().synthesise("Hello.")
    assert validate_prompt_wav(prompt) == pytest.approx(0.5)


async def test_an_answer_that_is_not_a_prompt_is_refused(azure: Endpoint) -> None:
    azure.fake.reply = b'{"error": "not audio"}'
    with pytest.raises(SynthesisError, match="unusable audio"):
        await azure.backend().synthesise("Hello.")


async def test_an_unreachable_endpoint_is_reported() -> None:
    backend = AzureSpeechBackend(
        key=SecretStr(KEY), endpoint="http://127.0.0.1:9/cognitiveservices/v1"
    )
    with pytest.raises(SynthesisError, match="could not be reached"):
        await backend.synthesise("Hello.")


def test_ssml_drops_characters_xml_cannot_hold() -> None:
    ssml = ssml_for("Bell\x07 and tab\there", "en-GB-RyanNeural")
    voice = ET.fromstring(ssml).find(f"{SSML_NAMESPACE}voice")  # noqa: S314 (own SSML)
    assert voice is not None
    assert voice.text == "Bell  and tab\there"


def test_the_endpoint_is_the_regions_text_to_speech_host() -> None:
    assert endpoint_for_region("uksouth") == (
        "https://uksouth.tts.speech.microsoft.com/cognitiveservices/v1"
    )


@pytest.mark.parametrize("region", ["", "UK South", "evil.example/x?", "uksouth.attacker"])
def test_a_region_must_be_a_bare_azure_region_name(region: str) -> None:
    with pytest.raises(ValueError, match="region"):
        endpoint_for_region(region)
