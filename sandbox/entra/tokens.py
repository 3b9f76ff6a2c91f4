"""JWTs as Entra ID issues them: v1.0 access tokens (what Graph and the Bot Framework
accept) for apps and signed-in users, v2.0 ID tokens, and the v2.0 access token Teams single
sign-on gives a tab for its own app, signed with the tenant's key."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sandbox.directory import TenantUser
from sandbox.ids import urlsafe_token
from sandbox.registration import AppRegistration
from sandbox.tenant import GRAPH_APP_ID, GRAPH_RESOURCE, Tenant

ACCESS_TOKEN_LIFETIME_SECONDS = 3599
ID_TOKEN_LIFETIME_SECONDS = 3600
TEAMS_SSO_SCOPE = "access_as_user"
TEAMS_WEB_CLIENT_ID = "5e3ce6c0-2b1f-4285-8d4b-75ee78787346"
"""Teams on the web, the client app that asks Entra for a tab's SSO token (`azp`)."""
TEAMS_DESKTOP_CLIENT_ID = "1fec8e78-bce4-4aaf-ab1b-5451cc387264"
"""Teams on the desktop and on mobiles, the other Teams client that asks for it."""
TEAMS_CLIENTS = {"web": TEAMS_WEB_CLIENT_ID, "desktop": TEAMS_DESKTOP_CLIENT_ID}
"""The Teams clients a tab's SSO token can come from, by the name the control API takes."""
ClientAuthentication = Literal["1", "2"]
"""How the client proved itself, as `appidacr` says it: "1" a client secret, "2" a signed client
assertion (a certificate's, or a federated one such as a managed identity's token)."""
SECRET_AUTHENTICATION: ClientAuthentication = "1"  # noqa: S105 (a claim value)
ASSERTION_AUTHENTICATION: ClientAuthentication = "2"
GUEST_HOME_ISSUER = "https://sts.windows.net/9188040d-6c67-4c5b-b112-36a304b66dad/"
"""Where the sandbox's guests authenticate (`idp`): personal Microsoft accounts."""


@dataclass(frozen=True)
class IssuedToken:
    value: str
    expires_in: int


def _pairwise_subject(object_id: str, client_id: str) -> str:
    """Entra's `sub`: stable per user and app, different for each app."""
    digest = hashlib.sha256(f"{object_id}:{client_id}".encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")[:43]


def client_info(tenant: Tenant, user: TenantUser) -> str:
    """The `client_info` Entra returns beside tokens so msal can key its account cache."""
    payload = json.dumps({"uid": user.object_id, "utid": tenant.tenant_id}).encode()
    return base64.urlsafe_b64encode(payload).rstrip(b"=").decode("ascii")


class TokenIssuer:
    def __init__(self, tenant: Tenant) -> None:
        self._tenant = tenant

    def _times(self, lifetime: int) -> dict[str, int]:
        issued_at = int(self._tenant.now().timestamp())
        return {"iat": issued_at, "nbf": issued_at, "exp": issued_at + lifetime}

    def _v1_common(
        self, app: AppRegistration, audience: str, authentication: ClientAuthentication
    ) -> dict[str, Any]:
        tenant = self._tenant
        return {
            "aud": audience,
            "iss": tenant.v1_issuer,
            **self._times(ACCESS_TOKEN_LIFETIME_SECONDS),
            "aio": urlsafe_token(60),
            "app_displayname": app.display_name,
            "appid": app.client_id,
            "appidacr": authentication,
            "idp": tenant.v1_issuer,
            "rh": f"1.A{urlsafe_token(40)}.",
            "tid": tenant.tenant_id,
            "uti": urlsafe_token(16),
            "ver": "1.0",
        }

    def app_access_token(
        self,
        app: AppRegistration,
        audience: str,
        authentication: ClientAuthentication = SECRET_AUTHENTICATION,
    ) -> IssuedToken:
        """An app-only token. For Graph it carries the app's application permissions as
        `roles`; other resources (the Bot Framework) get none. `appidacr` says how the app
        authenticated."""
        claims = self._v1_common(app, audience, authentication)
        claims |= {
            "idtyp": "app",
            "oid": app.service_principal_id,
            "sub": app.service_principal_id,
        }
        if audience in {GRAPH_RESOURCE, GRAPH_APP_ID} and app.application_permissions:
            claims["roles"] = sorted(app.application_permissions)
        return IssuedToken(self._tenant.signing_key.sign(claims), ACCESS_TOKEN_LIFETIME_SECONDS)

    def user_access_token(
        self,
        app: AppRegistration,
        user: TenantUser,
        scopes: Sequence[str],
        authentication: ClientAuthentication = SECRET_AUTHENTICATION,
    ) -> IssuedToken:
        """A delegated Graph token for a signed-in user (staff or guest), redeemed by `app`
        authenticated as `authentication` says."""
        given_name, _, family_name = user.display_name.partition(" ")
        claims = self._v1_common(app, GRAPH_RESOURCE, authentication)
        claims |= {
            "amr": ["pwd"],
            "family_name": family_name,
            "given_name": given_name,
            "idtyp": "user",
            "name": user.display_name,
            "oid": user.object_id,
            "scp": " ".join(scopes),
            "sub": _pairwise_subject(user.object_id, GRAPH_APP_ID),
            "unique_name": user.user_principal_name,
            "upn": user.user_principal_name,
        }
        return IssuedToken(self._tenant.signing_key.sign(claims), ACCESS_TOKEN_LIFETIME_SECONDS)

    def id_token(self, app: AppRegistration, user: TenantUser, nonce: str | None) -> str:
        """The ID token for the app, with `roles` when the user holds any of its app roles
        (Entra leaves the claim out when there are none)."""
        tenant = self._tenant
        claims: dict[str, Any] = {
            "aud": app.client_id,
            "iss": tenant.v2_issuer,
            **self._times(ID_TOKEN_LIFETIME_SECONDS),
            "aio": urlsafe_token(60),
            "name": user.display_name,
            "oid": user.object_id,
            "preferred_username": user.user_principal_name,
            "rh": f"1.A{urlsafe_token(40)}.",
            "sub": _pairwise_subject(user.object_id, app.client_id),
            "tid": tenant.tenant_id,
            "uti": urlsafe_token(16),
            "ver": "2.0",
        }
        if nonce is not None:
            claims["nonce"] = nonce
        roles = app.roles_of(user.object_id)
        if roles:
            claims["roles"] = roles
        return tenant.signing_key.sign(claims)

    def teams_sso_token(
        self, app: AppRegistration, user: TenantUser, client_id: str = TEAMS_WEB_CLIENT_ID
    ) -> IssuedToken:
        """What Teams' `authentication.getAuthToken()` gives a tab of `app` for a signed-in
        user: a v2.0 access token for the app itself (`aud` its client id), asked for by the
        Teams client `client_id` (`azp`, a public client: `azpacr` "0"), scope
        `access_as_user`, with the user's app roles as `roles` (none: no claim), and, for a
        guest, the identity provider they signed in with as `idp`."""
        tenant = self._tenant
        claims: dict[str, Any] = {
            "aud": app.client_id,
            "iss": tenant.v2_issuer,
            **self._times(ACCESS_TOKEN_LIFETIME_SECONDS),
            "aio": urlsafe_token(60),
            "azp": client_id,
            "azpacr": "0",
            "name": user.display_name,
            "oid": user.object_id,
            "preferred_username": user.user_principal_name,
            "rh": f"1.A{urlsafe_token(40)}.",
            "scp": TEAMS_SSO_SCOPE,
            "sub": _pairwise_subject(user.object_id, app.client_id),
            "tid": tenant.tenant_id,
            "uti": urlsafe_token(16),
            "ver": "2.0",
        }
        if user.kind == "guest":
            claims["idp"] = GUEST_HOME_ISSUER
        roles = app.roles_of(user.object_id)
        if roles:
            claims["roles"] = roles
        return IssuedToken(tenant.signing_key.sign(claims), ACCESS_TOKEN_LIFETIME_SECONDS)
