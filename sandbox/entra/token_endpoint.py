"""The Entra ID v2.0 token endpoint (`/{tenant}/oauth2/v2.0/token`): the client proves itself
(client secret, a certificate's assertion, or a managed identity's token matching a federated
credential), then the grant it asks for: client credentials, authorisation code with PKCE, or
refresh token.

The client is authenticated before the grant is chosen, so every grant takes a client secret or
a client assertion alike.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping

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
from sandbox.entra.errors import EntraError, token_error_response
from sandbox.entra.grants import RefreshGrant
from sandbox.entra.metadata import OIDC_SCOPES, graph_scope_name, tenant_named
from sandbox.entra.tokens import (
    ASSERTION_AUTHENTICATION,
    SECRET_AUTHENTICATION,
    ClientAuthentication,
    TokenIssuer,
    client_info,
)
from sandbox.registration import AppRegistration
from sandbox.tenant import BOT_FRAMEWORK_RESOURCE, GRAPH_APP_ID, GRAPH_RESOURCE, Tenant

DEFAULT_SCOPE_SUFFIX = "/.default"
AUDIENCE_BY_RESOURCE = {
    GRAPH_RESOURCE: GRAPH_RESOURCE,
    GRAPH_APP_ID: GRAPH_APP_ID,
    BOT_FRAMEWORK_RESOURCE: BOT_FRAMEWORK_RESOURCE,
}


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


def _user_tokens(
    tenant: Tenant,
    app: AppRegistration,
    user: TenantUser,
    scopes: tuple[str, ...],
    nonce: str | None,
    authentication: ClientAuthentication,
) -> dict[str, object]:
    issuer = TokenIssuer(tenant)
    resource_scopes = [graph_scope_name(s) for s in scopes if s not in OIDC_SCOPES]
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
        tenant_named(request)
        app = _authenticated_client(tenant, form)
        grant = _grant(form.get("grant_type", ""))
        return web.json_response(grant(tenant, app, form))
    except EntraError as error:
        return token_error_response(error, tenant.now())
