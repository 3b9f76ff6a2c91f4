"""Entra ID v2.0 endpoints under `/{tenant}/`: OpenID configuration, signing keys, the
authorize endpoint (a sign-in page listing the accounts that can sign in) and the token endpoint
(client credentials, authorisation code with PKCE, refresh token); and the instance
discovery endpoint msal consults.

The OpenID configuration names the token endpoint on the real authority host (msal insists
on https there; the product's msal http client sends it to the sandbox), while the authorize
and keys endpoints are the sandbox's own reachable URLs, so a browser or a JWKS client needs
no rewriting.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import jwt
from aiohttp import web

from sandbox.app_keys import TENANT
from sandbox.directory import TenantUser
from sandbox.entra.app_credentials import (
    CLOCK_SKEW_SECONDS,
    JWT_BEARER,
    TOKEN_EXCHANGE_AUDIENCE,
    verify_certificate_assertion,
    verify_federated_assertion,
)
from sandbox.entra.errors import EntraError, sign_in_error_page, token_error_response
from sandbox.entra.grants import AuthorizationRequest, RefreshGrant
from sandbox.entra.managed_identity import add_managed_identity_route
from sandbox.entra.signin_page import form_post_page, sign_in_page
from sandbox.entra.tokens import (
    ASSERTION_AUTHENTICATION,
    SECRET_AUTHENTICATION,
    ClientAuthentication,
    TokenIssuer,
    client_info,
)
from sandbox.ids import new_guid
from sandbox.public_urls import public_url
from sandbox.registration import AppRegistration
from sandbox.tenant import BOT_FRAMEWORK_RESOURCE, GRAPH_APP_ID, GRAPH_RESOURCE, Tenant

OIDC_SCOPES = frozenset({"openid", "profile", "email", "offline_access"})
GRAPH_SCOPE_PREFIX = f"{GRAPH_RESOURCE}/"
DEFAULT_SCOPE_SUFFIX = "/.default"
AUDIENCE_BY_RESOURCE = {
    GRAPH_RESOURCE: GRAPH_RESOURCE,
    GRAPH_APP_ID: GRAPH_APP_ID,
    BOT_FRAMEWORK_RESOURCE: BOT_FRAMEWORK_RESOURCE,
}
SIGN_IN_FIELDS = ("account", "decision")


def _tenant_named(request: web.Request) -> Tenant:
    tenant = request.config_dict[TENANT]
    segment = request.match_info["tenant"]
    if not tenant.is_named_by(segment):
        raise EntraError(
            400,
            "invalid_tenant",
            90002,
            f"Tenant '{segment}' not found. Check to make sure you have the correct tenant ID "
            "and are signing into the correct cloud.",
        )
    return tenant


async def openid_configuration(request: web.Request) -> web.Response:
    try:
        tenant = _tenant_named(request)
    except EntraError as error:
        return token_error_response(error, request.config_dict[TENANT].now())
    authority = f"https://{tenant.authority_host}/{tenant.tenant_id}"
    parts = {"tenant": request.match_info["tenant"]}
    return web.json_response(
        {
            "token_endpoint": f"{authority}/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": [
                "client_secret_post",
                "private_key_jwt",
            ],
            "jwks_uri": public_url(request, "entra-keys", **parts),
            "response_modes_supported": ["query", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code"],
            "scopes_supported": sorted(OIDC_SCOPES),
            "issuer": tenant.v2_issuer,
            "request_uri_parameter_supported": False,
            "authorization_endpoint": public_url(request, "entra-authorize", **parts),
            "claims_supported": [
                "sub",
                "iss",
                "aud",
                "exp",
                "iat",
                "nbf",
                "nonce",
                "name",
                "oid",
                "preferred_username",
                "tid",
                "ver",
            ],
            "tenant_region_scope": "EU",
            "cloud_instance_name": "microsoftonline.com",
            "msgraph_host": "graph.microsoft.com",
        }
    )


async def signing_keys(request: web.Request) -> web.Response:
    try:
        tenant = _tenant_named(request)
    except EntraError as error:
        return token_error_response(error, request.config_dict[TENANT].now())
    return web.json_response({"keys": [tenant.signing_key.jwk(tenant.v2_issuer)]})


async def instance_discovery(request: web.Request) -> web.Response:
    """`/common/discovery/instance`: msal asks it for the authority host's aliases, also
    after a failed token request. The sandbox has no aliases."""
    tenant = request.config_dict[TENANT]
    host = tenant.authority_host
    return web.json_response(
        {
            "tenant_discovery_endpoint": (
                f"https://{host}/{tenant.tenant_id}/v2.0/.well-known/openid-configuration"
            ),
            "api-version": "1.1",
            "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}],
        }
    )


# --- token endpoint -------------------------------------------------------------------


def _authenticated_client(tenant: Tenant, form: Mapping[str, str]) -> AppRegistration:
    client_id = form.get("client_id", "")
    app = tenant.app(client_id)
    if app is None:
        raise EntraError(
            400,
            "unauthorized_client",
            700016,
            f"Application with identifier '{client_id}' was not found in the directory "
            f"'{tenant.display_name}'.",
        )
    assertion = form.get("client_assertion")
    if assertion is not None:
        _check_client_assertion(tenant, app, form, assertion)
        return app
    secret = form.get("client_secret")
    if secret is None:
        raise EntraError(
            401,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or "
            "'client_secret'.",
        )
    if not hmac.compare_digest(secret.encode(), app.client_secret.encode()):
        raise EntraError(
            401,
            "invalid_client",
            7000215,
            "Invalid client secret provided. Ensure the secret being sent in the request is "
            f"the client secret value, not the client secret ID, for a secret added to app "
            f"'{client_id}'.",
        )
    return app


def _check_client_assertion(
    tenant: Tenant, app: AppRegistration, form: Mapping[str, str], assertion: str
) -> None:
    """A certificate assertion (the app issued it: `iss` is its client id) or a federated one
    (a token from a trusted issuer, here the tenant's managed identities)."""
    if form.get("client_assertion_type") != JWT_BEARER:
        raise EntraError(
            400,
            "invalid_request",
            700025,
            f"client_assertion_type must be {JWT_BEARER}.",
        )
    try:
        header = jwt.get_unverified_header(assertion)
        unverified = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.InvalidTokenError as error:
        raise EntraError(
            401, "invalid_client", 700023, "The client assertion is not a JWT."
        ) from error
    credentials = tenant.app_credentials.of(app.client_id)
    if unverified.get("iss") == app.client_id:
        endpoints = tuple(
            f"https://{tenant.authority_host}/{segment}/oauth2/v2.0/token"
            for segment in (tenant.tenant_id, tenant.domain)
        )
        verify_certificate_assertion(assertion, header, app.client_id, credentials, endpoints)
        return
    try:
        claims = tenant.signing_key.verify(
            assertion,
            audiences=[TOKEN_EXCHANGE_AUDIENCE],
            issuer=tenant.v2_issuer,
            leeway_seconds=CLOCK_SKEW_SECONDS,
        )
    except jwt.InvalidTokenError as error:
        raise EntraError(
            401,
            "invalid_client",
            700211,
            "No matching federated identity record found for presented assertion issuer, or "
            "the assertion failed validation.",
        ) from error
    verify_federated_assertion(claims, credentials)


def _client_authentication(form: Mapping[str, str]) -> ClientAuthentication:
    """How the (already authenticated) client proved itself, for `appidacr`."""
    if "client_assertion" in form:
        return ASSERTION_AUTHENTICATION
    return SECRET_AUTHENTICATION


def _client_credentials(
    tenant: Tenant, app: AppRegistration, form: Mapping[str, str]
) -> dict[str, object]:
    scopes = form.get("scope", "").split()
    if len(scopes) != 1 or not scopes[0].endswith(DEFAULT_SCOPE_SUFFIX):
        raise EntraError(
            400,
            "invalid_scope",
            1002012,
            f"The provided value for scope {' '.join(scopes)} is not valid. Client credential "
            "flows must have a scope value with /.default suffixed to the resource identifier "
            "(application ID URI).",
        )
    resource = scopes[0].removesuffix(DEFAULT_SCOPE_SUFFIX)
    audience = AUDIENCE_BY_RESOURCE.get(resource)
    if audience is None:
        raise EntraError(
            400,
            "invalid_resource",
            500011,
            f"The resource principal named {resource} was not found in the tenant named "
            f"{tenant.display_name}.",
        )
    issued = TokenIssuer(tenant).app_access_token(app, audience, _client_authentication(form))
    return {
        "token_type": "Bearer",
        "expires_in": issued.expires_in,
        "ext_expires_in": issued.expires_in,
        "access_token": issued.value,
    }


def _graph_scope_name(scope: str) -> str:
    return scope.removeprefix(GRAPH_SCOPE_PREFIX)


def _user_tokens(
    tenant: Tenant,
    app: AppRegistration,
    user: TenantUser,
    scopes: tuple[str, ...],
    nonce: str | None,
    authentication: ClientAuthentication,
) -> dict[str, object]:
    issuer = TokenIssuer(tenant)
    resource_scopes = [_graph_scope_name(s) for s in scopes if s not in OIDC_SCOPES]
    granted = [*(resource_scopes or ["User.Read"]), "openid", "profile", "email"]
    issued = issuer.user_access_token(app, user, granted, authentication)
    response: dict[str, object] = {
        "token_type": "Bearer",
        "scope": " ".join(granted),
        "expires_in": issued.expires_in,
        "ext_expires_in": issued.expires_in,
        "access_token": issued.value,
        "client_info": client_info(tenant, user),
    }
    if "openid" in scopes:
        response["id_token"] = issuer.id_token(app, user, nonce)
    if "offline_access" in scopes:
        response["refresh_token"] = tenant.grants.issue_refresh_token(
            RefreshGrant(app.client_id, user.object_id, scopes)
        )
    return response


def _signed_in_user(tenant: Tenant, user_id: str) -> TenantUser:
    user = tenant.directory.user_by_object_id(user_id)
    if user is None or not user.can_sign_in:
        raise EntraError(
            400, "invalid_grant", 50034, "The user account does not exist in the directory."
        )
    return user


def _authorization_code(
    tenant: Tenant, app: AppRegistration, form: Mapping[str, str]
) -> dict[str, object]:
    issued = tenant.grants.code(form.get("code", ""))
    if issued is None or issued.request.client_id != app.client_id:
        raise EntraError(
            400, "invalid_grant", 70000, "The provided value for the 'code' parameter is not valid."
        )
    if issued.redeemed:
        raise EntraError(
            400,
            "invalid_grant",
            54005,
            "OAuth2 Authorization code was already redeemed, please retry with a new valid code "
            "or use an existing refresh token.",
        )
    if tenant.now() >= issued.expires_at:
        raise EntraError(
            400,
            "invalid_grant",
            70008,
            "The provided authorization code or refresh token has expired due to inactivity. "
            "Send a new interactive authorization request for this user and resource.",
        )
    redirect_uri = form.get("redirect_uri", "")
    if redirect_uri != issued.request.redirect_uri:
        raise EntraError(
            400,
            "invalid_grant",
            500112,
            f"The reply address '{redirect_uri}' does not match the reply address "
            f"'{issued.request.redirect_uri}' provided when requesting Authorization code.",
        )
    if not issued.request.verifier_matches(form.get("code_verifier")):
        raise EntraError(
            400,
            "invalid_grant",
            501481,
            "The Code_Verifier does not match the code_challenge supplied in the authorization "
            "request.",
        )
    issued.redeemed = True
    user = _signed_in_user(tenant, issued.user_id)
    return _user_tokens(
        tenant,
        app,
        user,
        issued.request.scopes,
        issued.request.nonce,
        _client_authentication(form),
    )


def _refresh_token(
    tenant: Tenant, app: AppRegistration, form: Mapping[str, str]
) -> dict[str, object]:
    grant = tenant.grants.redeem_refresh_token(form.get("refresh_token", ""))
    if grant is None or grant.client_id != app.client_id:
        raise EntraError(
            400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid."
        )
    user = _signed_in_user(tenant, grant.user_id)
    return _user_tokens(tenant, app, user, grant.scopes, None, _client_authentication(form))


Grant = Callable[[Tenant, AppRegistration, Mapping[str, str]], dict[str, object]]


def _grant(grant_type: str) -> Grant:
    grants: dict[str, Grant] = {
        "client_credentials": _client_credentials,
        "authorization_code": _authorization_code,
        "refresh_token": _refresh_token,
    }
    if grant_type not in grants:
        raise EntraError(
            400,
            "unsupported_grant_type",
            70003,
            f"The app requested an unsupported grant type '{grant_type}'.",
        )
    return grants[grant_type]


async def token(request: web.Request) -> web.Response:
    tenant = request.config_dict[TENANT]
    submitted = await request.post()
    form = {name: value for name, value in submitted.items() if isinstance(value, str)}
    try:
        _tenant_named(request)
        app = _authenticated_client(tenant, form)
        grant = _grant(form.get("grant_type", ""))
        return web.json_response(grant(tenant, app, form))
    except EntraError as error:
        return token_error_response(error, tenant.now())


# --- authorize endpoint -------------------------------------------------------------------


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
        _graph_scope_name(s)
        for s in auth_request.scopes
        if s not in OIDC_SCOPES and _graph_scope_name(s) not in app.delegated_permissions
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
        _tenant_named(request)
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


def add_entra_routes(app: web.Application) -> None:
    add_managed_identity_route(app)
    app.router.add_get("/common/discovery/instance", instance_discovery)
    app.router.add_get(
        "/{tenant}/v2.0/.well-known/openid-configuration",
        openid_configuration,
        name="entra-openid-configuration",
    )
    app.router.add_get("/{tenant}/discovery/v2.0/keys", signing_keys, name="entra-keys")
    authorize_resource = app.router.add_resource(
        "/{tenant}/oauth2/v2.0/authorize", name="entra-authorize"
    )
    authorize_resource.add_route("GET", authorize)
    authorize_resource.add_route("POST", authorize)
    app.router.add_post("/{tenant}/oauth2/v2.0/token", token, name="entra-token")
