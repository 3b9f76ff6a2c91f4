"""Every response of the bot carries the security headers: staff pages, the bot's endpoints
(`/api/messages`, `/api/calls`, `/notifications/mail`), the health check, 404s, 405s and
refusals. Strict-Transport-Security is added when the bot is reached over https: its
published address is https (TLS ends in front of it), or the request itself came over TLS."""

from __future__ import annotations

import ipaddress
import ssl
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from bot.cli.main import main
from bot.config import Settings
from bot.web.app import create_app
from bot.web.security_headers import HEADERS, STRICT_TRANSPORT_SECURITY
from tests.served_bot import bot_with_sandbox, free_port_pair
from tests.web.staff_site import tenant_settings

HSTS = "Strict-Transport-Security"

REQUESTS = [
    ("GET", "/healthz", 200),
    ("GET", "/readyz", 200),
    ("GET", "/no-such-page", 404),
    ("GET", "/notifications/mail", 405),
    ("POST", "/notifications/mail?validationToken=abc", 200),
    ("POST", "/notifications/mail", 400),
    ("POST", "/api/calls", 401),
    ("POST", "/api/messages", 401),
    ("GET", "/api/no-such-endpoint", 401),
    ("GET", "/prompts/0000.wav", 404),
    ("GET", "/tab", 303),
    ("GET", "/static/staff.css", 200),
]


@pytest.fixture
async def bot_origin(
    database_url: str, env_without_iass: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[str]:
    """The bot as `make run` serves it, over http."""
    monkeypatch.setenv("IASS_DATABASE_URL", database_url)
    monkeypatch.setenv("PORT", str(free_port_pair()))
    assert main(["keys", "init"]) == 0
    settings = Settings()
    async with bot_with_sandbox(settings):
        yield f"http://localhost:{settings.port}"


def assert_security_headers(response: aiohttp.ClientResponse, hsts: str | None) -> None:
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, (response.url, name)
    assert response.headers.get(HSTS) == hsts, response.url


async def test_every_response_of_the_served_bot_carries_the_headers(bot_origin: str) -> None:
    async with aiohttp.ClientSession() as http:
        for method, path, status in REQUESTS:
            async with http.request(method, bot_origin + path, allow_redirects=False) as answer:
                assert answer.status == status, path
                assert_security_headers(answer, hsts=None)


def self_signed_certificate(directory: Path) -> ssl.SSLContext:
    """A server context with a fresh certificate for 127.0.0.1."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    certificate_file, key_file = directory / "bot.crt", directory / "bot.key"
    certificate_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate_file, key_file)
    return context


async def answers(app: web.Application, tls: ssl.SSLContext | None) -> list[aiohttp.ClientResponse]:
    """The app's answers to a health check, a missing page and a wrong method."""
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=tls)
    await site.start()
    origin = f"{'https' if tls else 'http'}://127.0.0.1:{runner.addresses[0][1]}"
    try:
        async with aiohttp.ClientSession() as http:
            responses = [
                await http.get(f"{origin}/healthz", ssl=False),
                await http.get(f"{origin}/no-such-page", ssl=False),
                await http.post(f"{origin}/healthz", ssl=False),
            ]
    finally:
        await runner.cleanup()
    assert [response.status for response in responses] == [200, 404, 405]
    return responses


async def test_a_request_over_tls_gets_hsts(tmp_path: Path) -> None:
    app = create_app(Settings(_env_file=None), tenant=tenant_settings("", "http://127.0.0.1"))
    for response in await answers(app, self_signed_certificate(tmp_path)):
        assert_security_headers(response, hsts=STRICT_TRANSPORT_SECURITY)


async def test_a_bot_published_over_https_sends_hsts_behind_its_proxy() -> None:
    tenant = tenant_settings("", "https://iass-bot.example.org")
    for response in await answers(create_app(Settings(_env_file=None), tenant=tenant), None):
        assert_security_headers(response, hsts=STRICT_TRANSPORT_SECURITY)


async def test_a_bot_published_over_http_sends_no_hsts() -> None:
    tenant = tenant_settings("", "http://127.0.0.1:3978")
    for response in await answers(create_app(Settings(_env_file=None), tenant=tenant), None):
        assert_security_headers(response, hsts=None)
