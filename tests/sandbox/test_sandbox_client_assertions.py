"""The sandbox's token endpoint checks a certificate's client assertion as Entra ID documents
it: a registered certificate by either thumbprint header, the token endpoint as audience, the
client id as issuer and subject, a lifetime; anything else is refused with its AADSTS code."""

from __future__ import annotations

import base64
import time
import uuid
from typing import Any

import aiohttp
import jwt
import pytest
from cryptography.hazmat.primitives import hashes

from sandbox.entra.app_credentials import JWT_BEARER
from sandbox.seed import BOT_CLIENT_ID
from tests.credentials.certificates import AppCertificate, new_app_certificate
from tests.sandbox.conftest import RunningSandbox


@pytest.fixture(scope="module")
def certificate(sandbox: RunningSandbox) -> AppCertificate:
    made = new_app_certificate()
    sandbox.tenant.app_credentials.add_certificate(BOT_CLIENT_ID, made.certificate)
    return made


def thumbprint(made: AppCertificate, algorithm: hashes.HashAlgorithm) -> str:
    digest = made.certificate.fingerprint(algorithm)
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def assertion(
    made: AppCertificate, sandbox: RunningSandbox, *, sha1: bool = False, **changes: Any
) -> str:
    now = int(time.time())
    claims = {
        "aud": f"https://login.microsoftonline.com/{sandbox.tenant.tenant_id}/oauth2/v2.0/token",
        "iss": BOT_CLIENT_ID,
        "sub": BOT_CLIENT_ID,
        "jti": str(uuid.uuid4()),
        "nbf": now,
        "exp": now + 600,
    } | changes
    if sha1:
        headers = {"x5t": thumbprint(made, hashes.SHA1())}  # noqa: S303 (documented header)
        return jwt.encode(claims, made.key, algorithm="RS256", headers=headers)
    headers = {"x5t#S256": thumbprint(made, hashes.SHA256())}
    return jwt.encode(claims, made.key, algorithm="PS256", headers=headers)


async def token_request(
    http: aiohttp.ClientSession, sandbox: RunningSandbox, client_assertion: str, **form: str
) -> tuple[int, dict[str, Any]]:
    body = {
        "grant_type": "client_credentials",
        "client_id": BOT_CLIENT_ID,
        "scope": "https://graph.microsoft.com/.default",
        "client_assertion_type": JWT_BEARER,
        "client_assertion": client_assertion,
    } | form
    async with http.post(
        sandbox.url(f"/{sandbox.tenant.tenant_id}/oauth2/v2.0/token"), data=body
    ) as response:
        return response.status, await response.json()


async def test_both_documented_headers_get_a_token(
    sandbox: RunningSandbox, http: aiohttp.ClientSession, certificate: AppCertificate
) -> None:
    for signed in (assertion(certificate, sandbox), assertion(certificate, sandbox, sha1=True)):
        status, body = await token_request(http, sandbox, signed)
        assert status == 200, body
        assert "access_token" in body


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"aud": "https://login.microsoftonline.com/common/oauth2/v2.0/token"}, 700212),
        ({"exp": int(time.time()) - 3600}, 700024),
        ({"sub": "someone-else"}, 700021),
        ({"iss": "someone-else", "sub": "someone-else"}, 700211),
    ],
)
async def test_a_wrong_claim_is_refused_with_its_code(
    sandbox: RunningSandbox,
    http: aiohttp.ClientSession,
    certificate: AppCertificate,
    changes: dict[str, Any],
    code: int,
) -> None:
    status, body = await token_request(http, sandbox, assertion(certificate, sandbox, **changes))

    assert (status, body["error"], body["error_codes"]) == (401, "invalid_client", [code])


async def test_a_key_that_is_not_the_certificates_is_refused(
    sandbox: RunningSandbox, http: aiohttp.ClientSession, certificate: AppCertificate
) -> None:
    impostor = AppCertificate(certificate.certificate, new_app_certificate().key)

    status, body = await token_request(http, sandbox, assertion(impostor, sandbox))

    assert (status, body["error_codes"]) == (401, [700027])


async def test_an_assertion_needs_the_jwt_bearer_type(
    sandbox: RunningSandbox, http: aiohttp.ClientSession, certificate: AppCertificate
) -> None:
    status, body = await token_request(
        http, sandbox, assertion(certificate, sandbox), client_assertion_type="jwt"
    )

    assert (status, body["error"]) == (400, "invalid_request")
