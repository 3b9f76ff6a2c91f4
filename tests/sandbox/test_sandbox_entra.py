"""Entra ID emulation driven by the real msal: client credentials tokens that verify against
the published JWKS, and the staff sign-in (authorisation code with PKCE) end to end."""

from __future__ import annotations

import asyncio
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import aiohttp
import jwt
import msal

from bot.graph.authority_session import authority_session
from sandbox.seed import (
    BOT_CLIENT_ID,
    BOT_CLIENT_SECRET,
    BOT_SERVICE_PRINCIPAL_ID,
    COORDINATOR,
    GUEST_PARENT,
    MANAGER_ROLE,
    STAFF_ROLE,
)
from tests.sandbox.conftest import RunningSandbox

AUTHORITY_HOST = "https://login.microsoftonline.com"
REDIRECT_URI = "http://localhost:3978/auth/callback"


def msal_app(sandbox: RunningSandbox, secret: str = BOT_CLIENT_SECRET) -> Any:
    return msal.ConfidentialClientApplication(
        BOT_CLIENT_ID,
        client_credential=secret,
        authority=f"{AUTHORITY_HOST}/{sandbox.tenant.tenant_id}",
        http_client=authority_session(AUTHORITY_HOST, sandbox.origin),
    )


class SignInForm(HTMLParser):
    """The action and the fields of the sign-in page's form."""

    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: dict[str, str] = {}
        self.accounts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.action = attributes["action"]
        elif tag == "input" and attributes.get("type") == "hidden":
            self.fields[attributes["name"]] = attributes["value"]
        elif tag == "input" and attributes.get("type") == "radio":
            self.accounts.append(attributes["value"])


async def openid_configuration(http: aiohttp.ClientSession, sandbox: RunningSandbox) -> Any:
    path = f"/{sandbox.tenant.tenant_id}/v2.0/.well-known/openid-configuration"
    async with http.get(sandbox.url(path)) as response:
        assert response.status == 200
        return await response.json()


async def test_a_client_credentials_token_verifies_against_the_published_keys(
    sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    app = await asyncio.to_thread(msal_app, sandbox)
    result = await asyncio.to_thread(
        app.acquire_token_for_client, ["https://graph.microsoft.com/.default"]
    )
    token = result["access_token"]
    assert result["token_type"] == "Bearer"

    configuration = await openid_configuration(http, sandbox)
    keys = jwt.PyJWKClient(configuration["jwks_uri"])
    signing_key = await asyncio.to_thread(keys.get_signing_key_from_jwt, token)
    tenant_id = sandbox.tenant.tenant_id
    claims = jwt.decode(
        token,
        signing_key.key,
        algorithms=["RS256"],
        audience="https://graph.microsoft.com",
        issuer=f"https://sts.windows.net/{tenant_id}/",
    )
    assert jwt.get_unverified_header(token)["kid"] == signing_key.key_id
    assert claims["tid"] == tenant_id
    assert claims["appid"] == BOT_CLIENT_ID
    assert claims["oid"] == claims["sub"] == BOT_SERVICE_PRINCIPAL_ID
    assert claims["ver"] == "1.0"
    assert claims["idtyp"] == "app"
    assert "OnlineMeetings.ReadWrite.All" in claims["roles"]
    assert "Mail.Send" in claims["roles"]
    assert claims["iat"] <= claims["nbf"] < claims["exp"]

    bot_framework = await asyncio.to_thread(
        app.acquire_token_for_client, ["https://api.botframework.com/.default"]
    )
    bot_claims = jwt.decode(bot_framework["access_token"], options={"verify_signature": False})
    assert bot_claims["aud"] == "https://api.botframework.com"
    assert "roles" not in bot_claims


async def test_a_wrong_client_secret_is_refused(sandbox: RunningSandbox) -> None:
    app = await asyncio.to_thread(msal_app, sandbox, "not-the-secret")
    result = await asyncio.to_thread(
        app.acquire_token_for_client, ["https://graph.microsoft.com/.default"]
    )
    assert result["error"] == "invalid_client"
    assert result["error_description"].startswith("AADSTS7000215:")


async def sign_in(
    http: aiohttp.ClientSession, sandbox: RunningSandbox, auth_uri: str, account: str
) -> dict[str, str]:
    """Open the sign-in page, choose `account`, and return what comes back to the app:
    the redirect's query, or the fields of the self-submitting form (`form_post`)."""
    async with http.get(auth_uri) as page:
        assert page.status == 200
        form = SignInForm()
        form.feed(await page.text())
    assert account in form.accounts
    submitted = {**form.fields, "account": account, "decision": "accept"}
    async with http.post(sandbox.url(form.action), data=submitted, allow_redirects=False) as answer:
        if answer.status == 302:
            location = answer.headers["Location"]
            assert location.startswith(REDIRECT_URI)
            return dict(parse_qsl(urlsplit(location).query))
        assert answer.status == 200
        posted_back = SignInForm()
        posted_back.feed(await answer.text())
    assert posted_back.action == REDIRECT_URI
    return posted_back.fields


async def test_staff_sign_in_with_msal_auth_code_flow(
    sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    app = await asyncio.to_thread(msal_app, sandbox)
    flow = app.initiate_auth_code_flow(
        ["User.Read"], redirect_uri=REDIRECT_URI, response_mode="form_post"
    )
    assert flow["auth_uri"].startswith(sandbox.origin)
    assert "code_challenge_method=S256" in flow["auth_uri"]

    auth_response = await sign_in(http, sandbox, flow["auth_uri"], COORDINATOR.object_id)
    assert auth_response["state"] == flow["state"]
    result = await asyncio.to_thread(app.acquire_token_by_auth_code_flow, flow, auth_response)

    assert "error" not in result, result
    claims = result["id_token_claims"]
    assert claims["name"] == COORDINATOR.display_name
    assert claims["preferred_username"] == COORDINATOR.user_principal_name
    assert claims["oid"] == COORDINATOR.object_id
    assert claims["tid"] == sandbox.tenant.tenant_id
    assert claims["aud"] == BOT_CLIENT_ID
    assert claims["ver"] == "2.0"
    assert claims["roles"] == [STAFF_ROLE]
    access = jwt.decode(result["access_token"], options={"verify_signature": False})
    assert access["scp"].split()[0] == "User.Read"
    assert access["upn"] == COORDINATOR.user_principal_name
    accounts = app.get_accounts()
    assert [a["username"] for a in accounts] == [COORDINATOR.user_principal_name]

    refreshed = await asyncio.to_thread(
        app.acquire_token_silent, ["User.Read"], accounts[0], force_refresh=True
    )
    assert refreshed is not None
    assert refreshed["token_source"] == "identity_provider"
    assert refreshed["access_token"] != result["access_token"]


async def test_a_code_is_redeemed_once_and_only_with_its_verifier(
    sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    app = await asyncio.to_thread(msal_app, sandbox)
    flow = app.initiate_auth_code_flow(
        ["User.Read"], redirect_uri=REDIRECT_URI, response_mode="form_post"
    )
    auth_response = await sign_in(http, sandbox, flow["auth_uri"], COORDINATOR.object_id)
    token_url = sandbox.url(f"/{sandbox.tenant.tenant_id}/oauth2/v2.0/token")
    redemption = {
        "client_id": BOT_CLIENT_ID,
        "client_secret": BOT_CLIENT_SECRET,
        "grant_type": "authorization_code",
        "code": auth_response["code"],
        "redirect_uri": REDIRECT_URI,
    }

    async with http.post(token_url, data={**redemption, "code_verifier": "wrong"}) as wrong:
        assert wrong.status == 400
        assert (await wrong.json())["error_codes"] == [501481]
    async with http.post(
        token_url, data={**redemption, "code_verifier": flow["code_verifier"]}
    ) as ok:
        assert ok.status == 200
        assert "id_token" in await ok.json()
    async with http.post(
        token_url, data={**redemption, "code_verifier": flow["code_verifier"]}
    ) as again:
        assert again.status == 400
        assert (await again.json())["error_codes"] == [54005]


async def test_the_sign_in_page_escapes_what_it_echoes_and_checks_the_redirect_uri(
    sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    authorize = sandbox.url(f"/{sandbox.tenant.tenant_id}/oauth2/v2.0/authorize")
    query = {
        "client_id": BOT_CLIENT_ID,
        "response_type": "code",
        "redirect_uri": REDIRECT_URI,
        "scope": "openid",
        "state": '"><script>alert(1)</script>',
    }
    async with http.get(authorize, params=query) as page:
        assert page.status == 200
        html = await page.text()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html

    async with http.get(
        authorize, params={**query, "redirect_uri": "https://evil.example/cb"}
    ) as refused:
        assert refused.status == 400
        assert "AADSTS50011" in await refused.text()


async def test_a_guest_signs_in_without_the_staff_role(
    sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    app = await asyncio.to_thread(msal_app, sandbox)
    flow = app.initiate_auth_code_flow(
        ["User.Read"], redirect_uri=REDIRECT_URI, response_mode="form_post"
    )
    auth_response = await sign_in(http, sandbox, flow["auth_uri"], GUEST_PARENT.object_id)
    result = await asyncio.to_thread(app.acquire_token_by_auth_code_flow, flow, auth_response)

    assert "error" not in result, result
    claims = result["id_token_claims"]
    assert claims["oid"] == GUEST_PARENT.object_id
    assert claims["preferred_username"] == GUEST_PARENT.user_principal_name
    assert "roles" not in claims
    async with http.get(sandbox.url("/sandbox/api/tenant")) as response:
        summary = await response.json()
    assert [(g["id"], g["userType"], g["appRoles"]) for g in summary["guests"]] == [
        (GUEST_PARENT.object_id, "Guest", [])
    ]
    assert {tuple(s["appRoles"]) for s in summary["staff"]} == {(STAFF_ROLE,), (MANAGER_ROLE,)}
