"""The Entra ID v2.0 authorize endpoint (`/{tenant}/oauth2/v2.0/authorize`): the sign-in page
listing the accounts that can sign in, and the answer sent back to the app's redirect URI (an
authorisation code, or an error), by query or form post.

A request whose app or redirect URI cannot be trusted is answered on a page; anything else
wrong with it is reported back to the app by redirect, as Entra ID does.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from aiohttp import web

from sandbox.app_keys import TENANT
from sandbox.entra.errors import EntraError, sign_in_error_page
from sandbox.entra.grants import AuthorizationRequest
from sandbox.entra.metadata import OIDC_SCOPES, graph_scope_name, tenant_named
from sandbox.entra.signin_page import form_post_page, sign_in_page
from sandbox.entra.tokens import client_info
from sandbox.ids import new_guid
from sandbox.registration import AppRegistration
from sandbox.tenant import Tenant

SIGN_IN_FIELDS = ("account", "decision")


def _redirect(redirect_uri: str, response_mode: str, fields: Mapping[str, str]) -> web.Response:
    if response_mode == "form_post":
        return form_post_page(redirect_uri, fields)
    parts = urlsplit(redirect_uri)
    query = urlencode([*parse_qsl(parts.query), *fields.items()])
    location = urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
    return web.Response(status=302, headers={"Location": location})


def _redirect_error(
    auth_request: AuthorizationRequest, error: EntraError, now_text: str
) -> web.Response:
    fields = {
        "error": error.error,
        "error_description": f"AADSTS{error.aadsts}: {error.description} Timestamp: {now_text}",
    }
    if auth_request.state is not None:
        fields["state"] = auth_request.state
    return _redirect(auth_request.redirect_uri, auth_request.response_mode, fields)


def _checked_request(
    tenant: Tenant, params: Mapping[str, str]
) -> tuple[AppRegistration, AuthorizationRequest]:
    """The authorisation request, or an `EntraError` for what must be shown on a page
    because the redirect URI cannot be trusted."""
    client_id = params.get("client_id", "")
    app = tenant.app(client_id)
    if app is None:
        raise EntraError(
            400,
            "unauthorized_client",
            700016,
            f"Application with identifier '{client_id}' was not found in the directory "
            f"'{tenant.display_name}'.",
        )
    redirect_uri = params.get("redirect_uri", "")
    if not app.accepts_redirect_uri(redirect_uri):
        raise EntraError(
            400,
            "invalid_request",
            50011,
            f"The redirect URI '{redirect_uri}' specified in the request does not match the "
            f"redirect URIs configured for the application '{client_id}'.",
        )
    response_mode = params.get("response_mode", "query")
    if response_mode not in {"query", "form_post"}:
        raise EntraError(
            400,
            "invalid_request",
            900144,
            f"The sandbox supports response_mode query and form_post, not '{response_mode}'.",
        )
    return app, AuthorizationRequest(
        client_id=client_id,
        redirect_uri=redirect_uri,
        scopes=tuple(params.get("scope", "").split()),
        state=params.get("state"),
        nonce=params.get("nonce"),
        code_challenge=params.get("code_challenge"),
        code_challenge_method=params.get("code_challenge_method"),
        response_mode=response_mode,
    )


def _flow_problem(
    app: AppRegistration, params: Mapping[str, str], auth_request: AuthorizationRequest
) -> EntraError | None:
    """What is wrong with the request that is reported back to the app by redirect."""
    if params.get("response_type") != "code":
        return EntraError(
            400,
            "unsupported_response_type",
            700054,
            f"response_type '{params.get('response_type', '')}' is not enabled for the app.",
        )
    if auth_request.code_challenge_method not in {None, "S256", "plain"}:
        return EntraError(400, "invalid_request", 501491, "Invalid code_challenge_method.")
    unconsented = [
        graph_scope_name(s)
        for s in auth_request.scopes
        if s not in OIDC_SCOPES and graph_scope_name(s) not in app.delegated_permissions
    ]
    if unconsented:
        return EntraError(
            400,
            "consent_required",
            65001,
            f"The user or administrator has not consented to use the application with ID "
            f"'{app.client_id}' for the scopes {' '.join(unconsented)}.",
        )
    return None


async def authorize(request: web.Request) -> web.Response:
    tenant = request.config_dict[TENANT]
    now = tenant.now()
    if request.method == "POST":
        submitted = await request.post()
        form = {name: value for name, value in submitted.items() if isinstance(value, str)}
    else:
        form = dict(request.query)
    params = {name: value for name, value in form.items() if name not in SIGN_IN_FIELDS}
    try:
        tenant_named(request)
        app, auth_request = _checked_request(tenant, params)
    except EntraError as error:
        return sign_in_error_page(error, now)
    problem = _flow_problem(app, params, auth_request)
    now_text = f"{now:%Y-%m-%d %H:%M:%SZ}"
    if problem is not None:
        return _redirect_error(auth_request, problem, now_text)
    if request.method == "GET":
        return sign_in_page(
            tenant_name=tenant.display_name,
            app_name=app.display_name,
            action_url=request.path,
            request_fields=params,
            accounts=tenant.directory.sign_in_accounts(),
            login_hint=params.get("login_hint"),
        )
    if form.get("decision") == "cancel":
        declined = EntraError(
            400, "access_denied", 65004, "User declined to consent to access the app."
        )
        return _redirect_error(auth_request, declined, now_text)
    user = tenant.directory.user_by_object_id(form.get("account", ""))
    if user is None or not user.can_sign_in:
        return sign_in_error_page(
            EntraError(
                400, "invalid_request", 50034, "The user account does not exist in the directory."
            ),
            now,
        )
    fields = {
        "code": tenant.grants.issue_code(auth_request, user.object_id, now),
        "session_state": new_guid(),
    }
    if params.get("client_info") == "1":
        fields["client_info"] = client_info(tenant, user)
    if auth_request.state is not None:
        fields["state"] = auth_request.state
    return _redirect(auth_request.redirect_uri, auth_request.response_mode, fields)
