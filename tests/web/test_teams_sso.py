"""The staff tab inside Teams: `/tab?inTeams=1` serves the single sign-on page, and
`POST /auth/teams-sso` turns a Teams SSO token of a staff member (from the sandbox's Entra) into
a session whose cookie works in Teams' iframe; any other token gets no session."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.web.id_token import TokenRefused
from bot.web.security_headers import TEAMS_SIGN_IN_POLICY
from bot.web.teams_sso_token import SsoExpected, check_sso_claims
from sandbox.seed import BOT_CLIENT_ID, COORDINATOR, GUEST_PARENT, PARENT_CARER, TENANT_ID
from tests.web.staff_site import RunningSandbox, StaffServer, forms_in

OTHER_TENANT = "0c0ffee0-1111-4222-8333-444455556666"
SESSION_COOKIE = "iass-staff"


async def sso_token(
    client: aiohttp.ClientSession, sandbox: RunningSandbox, who: str, teams: str = "web"
) -> str:
    """The token Teams (on the web, or the `desktop` and mobile app) gets for `who`."""
    answer = await client.post(
        f"{sandbox.origin}/sandbox/api/teams-sso-token", json={"user": who, "client": teams}
    )
    assert answer.status == 200
    token: str = (await answer.json())["token"]
    return token


async def post_token(
    client: aiohttp.ClientSession, server: StaffServer, token: str
) -> aiohttp.ClientResponse:
    return await client.post(
        server.url("/auth/teams-sso"), headers={"Authorization": f"Bearer {token}"}
    )


def cookie_header(response: aiohttp.ClientResponse) -> dict[str, str]:
    """The session as the browser sends it back (aiohttp's jar keeps Secure cookies off http,
    which Chromium allows on localhost)."""
    return {"Cookie": f"{SESSION_COOKIE}={response.cookies[SESSION_COOKIE].value}"}


async def test_teams_tab_without_a_session_serves_the_sign_in_page_with_its_scripts(
    client: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    tab = await client.get(staff_site.url("/tab?inTeams=1"), allow_redirects=False)
    assert tab.status == 200
    assert tab.headers["Content-Security-Policy"] == TEAMS_SIGN_IN_POLICY
    html = await tab.text()
    assert '<script src="/static/teams-js/MicrosoftTeams.min.js" defer></script>' in html
    assert '<script src="/static/teams-sign-in.js" defer></script>' in html
    assert 'data-sso-path="/auth/teams-sso"' in html
    for script, marker in (
        ("/static/teams-js/MicrosoftTeams.min.js", "getAuthToken"),
        ("/static/teams-sign-in.js", "microsoftTeams.authentication.getAuthToken()"),
    ):
        served = await client.get(staff_site.url(script))
        assert served.status == 200
        assert served.content_type in {"application/javascript", "text/javascript"}
        assert marker in await served.text()
    licence = await client.get(staff_site.url("/static/teams-js/LICENSE"))
    assert "MIT License" in await licence.text()


def test_only_the_teams_sign_in_page_may_run_scripts_and_only_our_own() -> None:
    directives = dict(part.split(" ", 1) for part in TEAMS_SIGN_IN_POLICY.split("; "))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["connect-src"] == "'self'"
    assert directives["frame-ancestors"] == (
        "'self' https://teams.microsoft.com https://*.teams.microsoft.com "
        "https://*.cloud.microsoft https://*.skype.com"
    )


async def test_a_staff_token_starts_a_session_for_teams_iframe_that_sees_the_staff_pages(
    client: aiohttp.ClientSession,
    staff_site: StaffServer,
    sandbox: RunningSandbox,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG):
        answered = await post_token(
            client, staff_site, await sso_token(client, sandbox, COORDINATOR.user_principal_name)
        )
    logged = " ".join(r.getMessage() for r in caplog.records if r.name.startswith("bot."))
    for personal in (COORDINATOR.display_name, COORDINATOR.user_principal_name):
        assert personal not in logged
    assert answered.status == 200
    assert await answered.json() == {"location": "/tab"}
    session = answered.cookies[SESSION_COOKIE]
    assert session["samesite"] == "None", "sent inside Teams' iframe"
    assert session["secure"]
    assert session["httponly"]
    assert session["path"] == "/"

    for path in ("/tab", "/tab?inTeams=1"):
        home = await client.get(
            staff_site.url(path), headers=cookie_header(answered), allow_redirects=False
        )
        assert home.status == 200
        assert f"Signed in as {COORDINATOR.display_name}" in await home.text()
        renewed = home.cookies[SESSION_COOKIE]
        assert renewed["samesite"] == "None"
        assert renewed["secure"]


async def test_forms_still_need_their_csrf_token_with_a_teams_session(
    client: aiohttp.ClientSession, staff_site: StaffServer, sandbox: RunningSandbox
) -> None:
    answered = await post_token(
        client, staff_site, await sso_token(client, sandbox, COORDINATOR.object_id)
    )
    cookie = cookie_header(answered)
    forged = await client.post(
        staff_site.url("/auth/sign-out"), headers=cookie, data={}, allow_redirects=False
    )
    assert forged.status == 403
    assert "This form could not be accepted" in await forged.text()

    home = await client.get(staff_site.url("/tab"), headers=cookie)
    (sign_out,) = [form for form in forms_in(await home.text()) if form.action == "/auth/sign-out"]
    signed_out = await client.post(
        staff_site.url(sign_out.action),
        headers=cookie,
        data=sign_out.fields,
        allow_redirects=False,
    )
    assert signed_out.status == 303
    assert signed_out.headers["Location"] == "/auth/signed-out?inTeams=1"
    cleared = signed_out.cookies[SESSION_COOKIE]
    assert cleared.value == ""
    assert cleared["samesite"] == "None"
    assert cleared["secure"]
    again = await client.get(staff_site.url("/auth/signed-out?inTeams=1"))
    assert 'href="/tab?inTeams=1"' in await again.text()


@pytest.mark.parametrize(
    ("teams", "client_id"),
    [
        ("web", "5e3ce6c0-2b1f-4285-8d4b-75ee78787346"),
        ("desktop", "1fec8e78-bce4-4aaf-ab1b-5451cc387264"),
    ],
)
async def test_each_teams_client_signs_staff_in(
    client: aiohttp.ClientSession,
    staff_site: StaffServer,
    sandbox: RunningSandbox,
    teams: str,
    client_id: str,
) -> None:
    token = await sso_token(client, sandbox, COORDINATOR.object_id, teams)
    assert jwt.decode(token, options={"verify_signature": False})["azp"] == client_id
    answered = await post_token(client, staff_site, token)
    assert answered.status == 200
    home = await client.get(staff_site.url("/tab"), headers=cookie_header(answered))
    assert f"Signed in as {COORDINATOR.display_name}" in await home.text()


async def test_the_sandbox_knows_only_the_teams_clients(
    client: aiohttp.ClientSession, sandbox: RunningSandbox
) -> None:
    answer = await client.post(
        f"{sandbox.origin}/sandbox/api/teams-sso-token",
        json={"user": COORDINATOR.object_id, "client": "outlook"},
    )
    assert answer.status == 400


def test_a_v1_token_names_its_client_in_appid() -> None:
    issuer = f"https://sts.windows.net/{TENANT_ID}/"
    expected = SsoExpected(audiences=(BOT_CLIENT_ID,), tenant_id=TENANT_ID, staff_role="IASS.Staff")
    now = datetime.now(UTC)
    claims = {
        "ver": "1.0",
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int(now.timestamp()) + 3600,
        "scp": "access_as_user",
        "tid": TENANT_ID,
        "oid": COORDINATOR.object_id,
        "name": COORDINATOR.display_name,
        "roles": ["IASS.Staff"],
        "azp": "5e3ce6c0-2b1f-4285-8d4b-75ee78787346",
    }
    with pytest.raises(TokenRefused, match="not asked for by Teams"):
        check_sso_claims(claims, expected, issuer, now)
    claims["appid"] = "1fec8e78-bce4-4aaf-ab1b-5451cc387264"
    identity = check_sso_claims(claims, expected, issuer, now)
    assert identity.object_id == COORDINATOR.object_id


async def test_a_token_for_the_application_id_uri_is_accepted(
    client: aiohttp.ClientSession, staff_site: StaffServer, sandbox: RunningSandbox
) -> None:
    claims = jwt.decode(
        await sso_token(client, sandbox, COORDINATOR.object_id),
        options={"verify_signature": False},
    )
    claims["aud"] = f"api://localhost/{BOT_CLIENT_ID}"
    answered = await post_token(client, staff_site, sandbox.tenant.signing_key.sign(claims))
    assert answered.status == 200


async def test_a_guest_gets_no_session(
    client: aiohttp.ClientSession,
    staff_site: StaffServer,
    sandbox: RunningSandbox,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="bot.web.teams_tab"):
        answered = await post_token(
            client, staff_site, await sso_token(client, sandbox, GUEST_PARENT.object_id)
        )
    assert answered.status == 403
    assert await answered.json() == {"error": "not_staff"}
    assert "Teams sign-in refused: a guest account" in caplog.messages
    assert answered.cookies[SESSION_COOKIE].value == ""


async def test_outside_people_have_no_account_to_get_a_token_for(
    client: aiohttp.ClientSession, sandbox: RunningSandbox
) -> None:
    answer = await client.post(
        f"{sandbox.origin}/sandbox/api/teams-sso-token", json={"user": PARENT_CARER.address}
    )
    assert answer.status == 404


async def test_a_request_without_a_token_is_refused(
    client: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    for headers in ({}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer "}):
        answered = await client.post(staff_site.url("/auth/teams-sso"), headers=headers)
        assert answered.status == 400
        assert SESSION_COOKIE not in answered.cookies


# --- tokens that must be refused ------------------------------------------------------------

Forge = Callable[[dict[str, Any], RunningSandbox], str]


def _signed(change: Callable[[dict[str, Any]], None]) -> Forge:
    def sign(claims: dict[str, Any], sandbox: RunningSandbox) -> str:
        change(claims)
        return sandbox.tenant.signing_key.sign(claims)

    return sign


def _set(**values: Any) -> Callable[[dict[str, Any]], None]:
    return lambda claims: claims.update(values)


def _drop(name: str) -> Callable[[dict[str, Any]], None]:
    return lambda claims: claims.pop(name, None)


def _hours_from_now(hours: float) -> int:
    return int((datetime.now(UTC) + timedelta(hours=hours)).timestamp())


def _another_key(claims: dict[str, Any], sandbox: RunningSandbox) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(
        claims, key, algorithm="RS256", headers={"kid": sandbox.tenant.signing_key.kid}
    )


def _unpublished_key(claims: dict[str, Any], _sandbox: RunningSandbox) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "not-a-published-key"})


def _unsigned(claims: dict[str, Any], sandbox: RunningSandbox) -> str:
    return jwt.encode(
        claims, None, algorithm="none", headers={"kid": sandbox.tenant.signing_key.kid}
    )


def _tampered(claims: dict[str, Any], sandbox: RunningSandbox) -> str:
    header, _, signature = sandbox.tenant.signing_key.sign(claims).split(".")
    claims["oid"] = GUEST_PARENT.object_id
    payload = jwt.api_jws.base64url_encode(jwt.utils.force_bytes(jwt.api_jwt.json.dumps(claims)))
    return f"{header}.{payload.decode()}.{signature}"


REFUSED: dict[str, tuple[Forge, str]] = {
    "signed by another key under the tenant's key id": (_another_key, "InvalidSignatureError"),
    "with its claims changed after signing": (_tampered, "InvalidSignatureError"),
    "signed by a key the tenant does not publish": (_unpublished_key, "unknown signing key"),
    "not signed (alg none)": (_unsigned, "InvalidAlgorithmError"),
    "expired": (
        _signed(_set(iat=_hours_from_now(-2), nbf=_hours_from_now(-2), exp=_hours_from_now(-1))),
        "expired",
    ),
    "not yet valid": (
        _signed(_set(nbf=_hours_from_now(1), exp=_hours_from_now(2))),
        "not yet valid",
    ),
    "for another application": (
        _signed(_set(aud="9e8d7c6b-0000-4000-8000-000000000001")),
        "InvalidAudienceError",
    ),
    "for Microsoft Graph": (
        _signed(_set(aud="https://graph.microsoft.com")),
        "InvalidAudienceError",
    ),
    "from another tenant's issuer": (
        _signed(_set(iss=f"https://login.microsoftonline.com/{OTHER_TENANT}/v2.0")),
        "InvalidIssuerError",
    ),
    "a v1.0 token": (
        _signed(_set(iss=f"https://sts.windows.net/{TENANT_ID}/")),
        "InvalidIssuerError",
    ),
    "for a user of another tenant": (_signed(_set(tid=OTHER_TENANT)), "another tenant"),
    "for a guest given the staff role": (
        _signed(_set(idp=f"https://sts.windows.net/{OTHER_TENANT}/")),
        "a guest account",
    ),
    "without the staff role": (_signed(_drop("roles")), "no staff role"),
    "with another role only": (_signed(_set(roles=["IASS.Reader"])), "no staff role"),
    "app-only (no scope)": (_signed(_drop("scp")), "MissingRequiredClaimError"),
    "with another scope": (_signed(_set(scp="User.Read")), "not a token for the tab"),
    "asked for by another application": (
        _signed(_set(azp="9e8d7c6b-0000-4000-8000-000000000002")),
        "not asked for by Teams",
    ),
    "asked for by the bot itself": (_signed(_set(azp=BOT_CLIENT_ID)), "not asked for by Teams"),
    "asked for by Outlook on the web": (
        _signed(_set(azp="bc59ab01-8403-45c6-8796-ac3ef710b3e3")),
        "not asked for by Teams",
    ),
    "naming no client": (_signed(_drop("azp")), "not asked for by Teams"),
    "naming Teams only in the v1.0 claim": (
        _signed(lambda c: c.update(appid=c.pop("azp"))),
        "not asked for by Teams",
    ),
}


@pytest.mark.parametrize("refused", list(REFUSED))
async def test_a_bad_token_gets_no_session(
    refused: str,
    client: aiohttp.ClientSession,
    staff_site: StaffServer,
    sandbox: RunningSandbox,
    caplog: pytest.LogCaptureFixture,
) -> None:
    forge, reason = REFUSED[refused]
    genuine = await sso_token(client, sandbox, COORDINATOR.object_id)
    claims = jwt.decode(genuine, options={"verify_signature": False})
    with caplog.at_level(logging.INFO, logger="bot.web.teams_tab"):
        answered = await post_token(client, staff_site, forge(claims, sandbox))
    assert answered.status == 403
    assert await answered.json() == {"error": "not_staff"}
    assert f"Teams sign-in refused: {reason}" in caplog.messages
    assert answered.cookies[SESSION_COOKIE].value == ""
