"""Staff sign-in against the sandbox tenant: msal's code flow with PKCE answered by form post,
the ID token checked by the bot itself, and a session only for staff of the tenant."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.web.pending_sign_in import safe_return_path
from sandbox.entra.tokens import TokenIssuer
from sandbox.seed import BOT_CLIENT_ID, COORDINATOR, GUEST_PARENT, TENANT_ID
from tests.web.staff_site import (
    RunningSandbox,
    StaffServer,
    forms_in,
    sign_in_through_sandbox,
)

OTHER_TENANT = "0c0ffee0-1111-4222-8333-444455556666"
SESSION_COOKIE = "iass-staff"


def has_session(response: aiohttp.ClientResponse) -> bool:
    morsel = response.cookies.get(SESSION_COOKIE)
    return morsel is not None and morsel.value != ""


async def assert_signed_out(client: aiohttp.ClientSession, server: StaffServer) -> None:
    home = await client.get(server.url("/tab"), allow_redirects=False)
    assert home.status == 303
    assert home.headers["Location"].startswith("/auth/sign-in")


async def test_a_visitor_without_a_session_is_sent_to_sign_in(
    client: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    for page in ("/tab", "/tab/review?done=confirmed"):
        sent = await client.get(staff_site.url(page), allow_redirects=False)
        assert sent.status == 303
        location = urlsplit(sent.headers["Location"])
        assert location.path == "/auth/sign-in"
        assert parse_qs(location.query) == {"return_to": [page]}


async def test_sign_in_uses_pkce_a_nonce_and_form_post(
    client: aiohttp.ClientSession, staff_site: StaffServer, sandbox: RunningSandbox
) -> None:
    start = await client.get(staff_site.url("/auth/sign-in"), allow_redirects=False)
    assert start.status == 303
    location = urlsplit(start.headers["Location"])
    assert f"{location.scheme}://{location.netloc}" == sandbox.origin
    assert location.path == f"/{TENANT_ID}/oauth2/v2.0/authorize"
    query = {name: values[0] for name, values in parse_qs(location.query).items()}
    assert query["client_id"] == BOT_CLIENT_ID
    assert query["response_type"] == "code"
    assert query["response_mode"] == "form_post"
    assert query["redirect_uri"] == staff_site.url("/auth/callback")
    assert query["code_challenge_method"] == "S256"
    for generated in ("code_challenge", "nonce", "state"):
        assert len(query[generated]) >= 16
    assert "offline_access" not in query["scope"].split()
    pending = start.cookies["iass-sign-in"]
    assert pending["httponly"]
    assert pending["path"] == "/auth"
    assert pending["samesite"] == "Lax"
    assert not has_session(start)


async def test_staff_sign_in_lands_on_the_home_page_with_their_name(
    client: aiohttp.ClientSession,
    staff_site: StaffServer,
    sandbox: RunningSandbox,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG):
        answered = await sign_in_through_sandbox(client, sandbox, staff_site, COORDINATOR.object_id)
    logged = " ".join(r.getMessage() for r in caplog.records if r.name.startswith("bot."))
    for personal in (COORDINATOR.display_name, COORDINATOR.user_principal_name):
        assert personal not in logged
    assert answered.status == 303
    assert answered.headers["Location"] == "/tab"
    session = answered.cookies[SESSION_COOKIE]
    assert session["httponly"]
    assert session["samesite"] == "Lax"
    assert session["path"] == "/"
    assert not session["secure"]
    home = await client.get(staff_site.url("/tab"))
    assert home.status == 200
    assert f"Signed in as {COORDINATOR.display_name}" in await home.text()


async def test_sign_in_returns_to_the_page_asked_for(
    client: aiohttp.ClientSession, staff_site: StaffServer, sandbox: RunningSandbox
) -> None:
    answered = await sign_in_through_sandbox(
        client, sandbox, staff_site, COORDINATOR.object_id, start="/tab/review"
    )
    assert answered.headers["Location"] == "/tab/review"


async def test_a_guest_account_of_the_tenant_is_refused(
    client: aiohttp.ClientSession, staff_site: StaffServer, sandbox: RunningSandbox
) -> None:
    answered = await sign_in_through_sandbox(client, sandbox, staff_site, GUEST_PARENT.object_id)
    assert answered.status == 403
    assert "Not available to you" in await answered.text()
    assert GUEST_PARENT.display_name not in await answered.text()
    assert not has_session(answered)
    await assert_signed_out(client, staff_site)


async def test_cancelling_at_microsoft_does_not_sign_in(
    client: aiohttp.ClientSession, staff_site: StaffServer, sandbox: RunningSandbox
) -> None:
    start = await client.get(staff_site.url("/auth/sign-in"), allow_redirects=False)
    sign_in_page = await client.get(start.headers["Location"])
    (choose,) = forms_in(await sign_in_page.text())
    cancelled = await client.post(
        sandbox.origin + choose.action, data={**choose.fields, "decision": "cancel"}
    )
    (answer,) = forms_in(await cancelled.text())
    assert "error" in answer.fields
    answered = await client.post(answer.action, data=answer.fields, allow_redirects=False)
    assert answered.status == 400
    assert "Sign-in did not finish" in await answered.text()
    assert not has_session(answered)


async def test_an_answer_from_another_browser_or_replayed_is_refused(
    client: aiohttp.ClientSession, staff_site: StaffServer, sandbox: RunningSandbox
) -> None:
    start = await client.get(staff_site.url("/auth/sign-in"), allow_redirects=False)
    sign_in_page = await client.get(start.headers["Location"])
    (choose,) = forms_in(await sign_in_page.text())
    chosen = await client.post(
        sandbox.origin + choose.action,
        data={**choose.fields, "account": COORDINATOR.object_id, "decision": "accept"},
    )
    (answer,) = forms_in(await chosen.text())
    async with aiohttp.ClientSession() as stranger:
        stolen = await stranger.post(answer.action, data=answer.fields, allow_redirects=False)
        assert stolen.status == 400
        assert not has_session(stolen)
    answered = await client.post(answer.action, data=answer.fields, allow_redirects=False)
    assert answered.status == 303
    replayed = await client.post(answer.action, data=answer.fields, allow_redirects=False)
    assert replayed.status == 400


async def test_signed_in_staff_asking_to_sign_in_go_straight_back(
    signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    again = await signed_in.get(
        staff_site.url("/auth/sign-in?return_to=/tab/review"), allow_redirects=False
    )
    assert again.status == 303
    assert again.headers["Location"] == "/tab/review"


@pytest.mark.parametrize(
    ("asked", "returned"),
    [
        (None, "/tab"),
        ("/tab", "/tab"),
        ("/tab/review?done=confirmed", "/tab/review?done=confirmed"),
        ("/tabby", "/tab"),
        ("https://evil.example/tab", "/tab"),
        ("//evil.example/tab", "/tab"),
        ("/tab//evil.example", "/tab"),
        ("/tab\\evil", "/tab"),
        ("/auth/sign-out", "/tab"),
    ],
)
def test_only_staff_pages_are_returned_to(asked: str | None, returned: str) -> None:
    assert safe_return_path(asked) == returned


# --- ID tokens that must be refused -------------------------------------------------------

Change = Callable[[dict[str, Any], RunningSandbox], str]


def _sandbox_signed(change: Callable[[dict[str, Any]], None]) -> Change:
    def sign(claims: dict[str, Any], sandbox: RunningSandbox) -> str:
        change(claims)
        return sandbox.tenant.signing_key.sign(claims)

    return sign


def _own_key(kid_of_sandbox: bool) -> Change:
    def sign(claims: dict[str, Any], sandbox: RunningSandbox) -> str:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        kid = sandbox.tenant.signing_key.kid if kid_of_sandbox else "not-a-published-key"
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})

    return sign


def _unsigned(claims: dict[str, Any], sandbox: RunningSandbox) -> str:
    return jwt.encode(
        claims, None, algorithm="none", headers={"kid": sandbox.tenant.signing_key.kid}
    )


def _hmac(claims: dict[str, Any], sandbox: RunningSandbox) -> str:
    return jwt.encode(
        claims,
        "a-secret-anyone-could-have-chosen-0123456789",
        algorithm="HS256",
        headers={"kid": sandbox.tenant.signing_key.kid},
    )


def _set(**values: Any) -> Callable[[dict[str, Any]], None]:
    def change(claims: dict[str, Any]) -> None:
        claims.update(values)

    return change


def _hours_from_now(hours: float) -> int:
    return int((datetime.now(UTC) + timedelta(hours=hours)).timestamp())


def _expired(claims: dict[str, Any]) -> None:
    claims.update(iat=_hours_from_now(-2), nbf=_hours_from_now(-2), exp=_hours_from_now(-1))


def _not_yet_valid(claims: dict[str, Any]) -> None:
    claims.update(nbf=_hours_from_now(1), exp=_hours_from_now(2))


def _without_roles(claims: dict[str, Any]) -> None:
    claims.pop("roles", None)


FORGERIES: dict[str, tuple[Change, str]] = {
    "signed by another key under the tenant's key id": (
        _own_key(kid_of_sandbox=True),
        "InvalidSignatureError",
    ),
    "signed by a key the tenant does not publish": (
        _own_key(kid_of_sandbox=False),
        "unknown signing key",
    ),
    "not signed (alg none)": (_unsigned, "InvalidAlgorithmError"),
    "HS256 instead of RS256": (_hmac, "InvalidAlgorithmError"),
    "expired": (_sandbox_signed(_expired), "expired"),
    "not yet valid": (_sandbox_signed(_not_yet_valid), "not yet valid"),
    "for another application": (
        _sandbox_signed(_set(aud="9e8d7c6b-0000-4000-8000-000000000001")),
        "InvalidAudienceError",
    ),
    "from another issuer": (
        _sandbox_signed(_set(iss=f"https://login.microsoftonline.com/{OTHER_TENANT}/v2.0")),
        "InvalidIssuerError",
    ),
    "for a user of another tenant": (_sandbox_signed(_set(tid=OTHER_TENANT)), "another tenant"),
    "without the staff role": (_sandbox_signed(_without_roles), "no staff role"),
    "with another role only": (_sandbox_signed(_set(roles=["IASS.Reader"])), "no staff role"),
}


@pytest.fixture
def forge(monkeypatch: pytest.MonkeyPatch, sandbox: RunningSandbox) -> Callable[[Change], None]:
    """Make the sandbox hand out ID tokens that `change` rewrites from the genuine ones."""

    def install(change: Change) -> None:
        genuine = TokenIssuer.id_token

        def forged(self: TokenIssuer, *args: Any, **kwargs: Any) -> str:
            token = genuine(self, *args, **kwargs)
            claims = jwt.decode(token, options={"verify_signature": False})
            return change(claims, sandbox)

        monkeypatch.setattr(TokenIssuer, "id_token", forged)

    return install


async def test_the_forging_harness_leaves_a_genuine_token_acceptable(
    client: aiohttp.ClientSession,
    staff_site: StaffServer,
    sandbox: RunningSandbox,
    forge: Callable[[Change], None],
) -> None:
    forge(_sandbox_signed(_set()))
    answered = await sign_in_through_sandbox(client, sandbox, staff_site, COORDINATOR.object_id)
    assert answered.status == 303
    assert has_session(answered)


@pytest.mark.parametrize("forgery", list(FORGERIES))
async def test_a_bad_id_token_gets_no_session(
    forgery: str,
    client: aiohttp.ClientSession,
    staff_site: StaffServer,
    sandbox: RunningSandbox,
    forge: Callable[[Change], None],
    caplog: pytest.LogCaptureFixture,
) -> None:
    change, reason = FORGERIES[forgery]
    forge(change)
    with caplog.at_level(logging.INFO, logger="bot.web.auth_routes"):
        answered = await sign_in_through_sandbox(client, sandbox, staff_site, COORDINATOR.object_id)
    assert answered.status == 403
    assert f"staff sign-in refused: {reason}" in caplog.messages
    text = await answered.text()
    assert "Not available to you" in text
    assert COORDINATOR.display_name not in text
    assert not has_session(answered)
    await assert_signed_out(client, staff_site)


async def test_an_id_token_with_another_nonce_gets_no_session(
    client: aiohttp.ClientSession,
    staff_site: StaffServer,
    sandbox: RunningSandbox,
    forge: Callable[[Change], None],
) -> None:
    forge(_sandbox_signed(_set(nonce="0" * 64)))
    answered = await sign_in_through_sandbox(client, sandbox, staff_site, COORDINATOR.object_id)
    assert answered.status in {400, 403}
    assert not has_session(answered)
    await assert_signed_out(client, staff_site)
