"""The staff tab inside Teams: its sign-in page and Teams single sign-on (`POST /auth/teams-sso`).

Teams shows the tab in an iframe, where the browser sign-in cannot run (Microsoft's sign-in
page refuses to be framed) and a `SameSite=Lax` session cookie is not sent. So the Teams app
manifest opens `/tab?inTeams=1`; without a session that address serves a small page whose
script asks Teams for an SSO token and posts it here in the Authorization header. A valid token
of a staff member of our tenant starts a session whose cookie is `SameSite=None; Secure`
(`StaffSession.in_teams`), and the page goes on to the staff home.

The post carries its credential in a header, which another site's form cannot set and its
scripts cannot send here without a CORS grant (there is none), so it needs no CSRF token; every
form of the staff pages still carries its session's token. Refusals are logged by reason only."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.web.csrf import new_csrf_token
from bot.web.id_token import TokenRefused
from bot.web.pages import page
from bot.web.security_headers import TEAMS_SIGN_IN_POLICY
from bot.web.session import StaffSession
from bot.web.signing_keys import SigningKeysUnavailable
from bot.web.site import STAFF_SITE
from bot.web.teams_sso_token import verify_sso_token

logger = logging.getLogger(__name__)

TEAMS_SSO_PATH = "/auth/teams-sso"
IN_TEAMS_QUERY = "inTeams"
HOME_PATH = "/tab"


def opened_in_teams(request: web.Request) -> bool:
    """Whether the request is the Teams app's tab address (`/tab?inTeams=1`)."""
    return request.path == HOME_PATH and request.query.get(IN_TEAMS_QUERY) == "1"


def teams_sign_in_page(request: web.Request) -> web.Response:
    response = page(request, "teams_sign_in.html.j2", sso_path=TEAMS_SSO_PATH)
    response.headers["Content-Security-Policy"] = TEAMS_SIGN_IN_POLICY
    return response


def _bearer_token(request: web.Request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _answer(status: int, error: str) -> web.Response:
    return web.json_response({"error": error}, status=status)


async def teams_sso(request: web.Request) -> web.Response:
    site = request.config_dict[STAFF_SITE]
    token = _bearer_token(request)
    if token is None:
        return _answer(400, "no_token")
    try:
        identity = await verify_sso_token(
            token, site.signing_keys, site.sso_expected(), site.clock()
        )
    except SigningKeysUnavailable as error:
        logger.warning("Teams sign-in unavailable: %s", error)
        return _answer(503, "sign_in_unavailable")
    except TokenRefused as error:
        logger.info("Teams sign-in refused: %s", error)
        response = _answer(403, "not_staff")
        await site.sessions.end(request, response, in_teams=True)
        return response
    response = web.json_response({"location": HOME_PATH})
    await site.sessions.start(
        response,
        StaffSession(
            identity.object_id,
            identity.display_name,
            new_csrf_token(),
            in_teams=True,
            is_manager=identity.is_manager,
        ),
        replacing=request,
    )
    return response
