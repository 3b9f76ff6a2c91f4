"""Staff sign-in, its callback and sign-out: the `/auth` sub-application.

Only a signed-in member of the configured tenant holding the staff app role gets a session;
anyone else sees a plain "not available to you" page. Refusals are logged by reason only."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.web.csrf import new_csrf_token
from bot.web.entra_sign_in import SignInFailed, SignInUnavailable
from bot.web.id_token import TokenRefused, verify_id_token
from bot.web.json_body import form_body
from bot.web.pages import SERVICE_NAME, Link, message_page
from bot.web.pending_sign_in import PendingSignIn, safe_return_path
from bot.web.session import STAFF_SESSION, StaffSession
from bot.web.signing_keys import SigningKeysUnavailable
from bot.web.site import STAFF_SITE, StaffSite
from bot.web.staff_guard import SIGN_IN_PATH, sign_in_url

logger = logging.getLogger(__name__)

SIGNED_OUT_PATH = "/auth/signed-out"


def _see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


def _unavailable(request: web.Request) -> web.Response:
    return message_page(
        request,
        status=503,
        title="Sign-in is not available right now",
        paragraphs=("Microsoft sign-in could not be reached. Try again in a few minutes.",),
        link=Link(SIGN_IN_PATH, "Try again"),
    )


def _did_not_finish(request: web.Request) -> web.Response:
    return message_page(
        request,
        status=400,
        title="Sign-in did not finish",
        paragraphs=("Signing in was cancelled, took too long, or was started in another window.",),
        link=Link(SIGN_IN_PATH, "Sign in again"),
    )


def _not_available(request: web.Request) -> web.Response:
    return message_page(
        request,
        status=403,
        title="Not available to you",
        paragraphs=(
            f"These pages are only for staff of {request.config_dict[SERVICE_NAME]}.",
            "If you work for the service and think you should see them, ask whoever manages "
            "your Microsoft 365 accounts to give you the IASS staff role.",
        ),
    )


async def sign_in(request: web.Request) -> web.Response:
    site = request.config_dict[STAFF_SITE]
    return_to = safe_return_path(request.query.get("return_to"))
    if request.get(STAFF_SESSION) is not None:
        return _see_other(return_to)
    try:
        started = await site.sign_in.start()
    except SignInUnavailable as error:
        logger.warning("staff sign-in unavailable: %s", error)
        return _unavailable(request)
    response = _see_other(started.auth_uri)
    site.pending.write(response, PendingSignIn(flow=started.flow, return_to=return_to))
    return response


async def callback(request: web.Request) -> web.Response:
    """Where Entra ID posts the answer (`response_mode=form_post`)."""
    site = request.config_dict[STAFF_SITE]
    answer = {
        name: value for name, value in (await form_body(request)).items() if isinstance(value, str)
    }
    pending = site.pending.read(request)
    if pending is None:
        logger.info("staff sign-in answer without a sign-in in progress")
        response = _did_not_finish(request)
    else:
        response = await _complete(request, site, pending, answer)
    site.pending.clear(response)
    return response


async def _complete(
    request: web.Request, site: StaffSite, pending: PendingSignIn, answer: dict[str, str]
) -> web.Response:
    try:
        id_token = await site.sign_in.finish(pending.flow, answer)
        identity = await verify_id_token(
            id_token,
            site.signing_keys,
            site.expected(str(pending.flow.get("nonce", ""))),
            site.clock(),
        )
    except (SignInUnavailable, SigningKeysUnavailable) as error:
        logger.warning("staff sign-in unavailable: %s", error)
        return _unavailable(request)
    except SignInFailed as error:
        logger.info("staff sign-in did not finish: %s", error)
        return _did_not_finish(request)
    except TokenRefused as error:
        logger.info("staff sign-in refused: %s", error)
        response = _not_available(request)
        await site.sessions.end(request, response)
        return response
    response = _see_other(pending.return_to)
    await site.sessions.start(
        response,
        StaffSession(
            identity.object_id,
            identity.display_name,
            new_csrf_token(),
            is_manager=identity.is_manager,
        ),
        replacing=request,
    )
    return response


async def sign_out(request: web.Request) -> web.Response:
    """POST only, with the CSRF token (checked by the middleware). The session ends in the
    store, so its cookie, if kept or copied, signs no one in again."""
    session = request.get(STAFF_SESSION)
    in_teams = session is not None and session.in_teams
    response = _see_other(f"{SIGNED_OUT_PATH}?inTeams=1" if in_teams else SIGNED_OUT_PATH)
    await request.config_dict[STAFF_SITE].sessions.end(request, response, in_teams=in_teams)
    return response


async def signed_out(request: web.Request) -> web.Response:
    return message_page(
        request,
        status=200,
        title="You have signed out",
        paragraphs=("You have signed out of the staff pages on this device.",),
        link=Link(
            "/tab?inTeams=1" if request.query.get("inTeams") == "1" else sign_in_url("/tab"),
            "Sign in again",
        ),
    )
