"""Checking the token the staff tab gets from Teams single sign-on (`getAuthToken()` in the
Teams JavaScript SDK): a v2.0 Entra ID access token for this app on the staff member's behalf.

The care is that of `id_token`: the signature must verify against a key the tenant publishes
(RS256 only), the issuer must be our tenant's v2.0 issuer (so the app registration must ask for
v2.0 access tokens: `requestedAccessTokenVersion` 2), the audience this app (its client id, or
the Application ID URI the Teams manifest's `webApplicationInfo.resource` names), and the token
inside its lifetime with a little leeway. Then it must be a delegated token (`scp` holding
`access_as_user`; app-only tokens have none), for a member of our tenant (`tid`, and no `idp`
other than our issuer: guests are authenticated elsewhere) holding the staff app role. Entra
puts the app roles assigned to the user in `roles` of access tokens for the app that defines
them, which this app does, so staff are recognised the same way as at browser sign-in; a token
without the role is refused. Nothing from the token is kept beyond the session's object id and
display name."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt

from bot.web.id_token import LEEWAY, StaffIdentity
from bot.web.signing_keys import SigningKeys, UnknownSigningKey

SSO_SCOPE = "access_as_user"
REQUIRED_CLAIMS = ["iss", "aud", "exp", "nbf", "iat", "tid", "oid", "scp"]


class SsoTokenRefused(Exception):
    """The token is not acceptable; the message names why, without personal data."""


@dataclass(frozen=True)
class SsoExpected:
    """What a Teams SSO token for this app must say."""

    audiences: Collection[str]
    tenant_id: str
    staff_role: str


def check_sso_claims(
    claims: Mapping[str, Any],
    expected: SsoExpected,
    issuer: str,
    now: datetime,
    leeway: timedelta = LEEWAY,
) -> StaffIdentity:
    """The staff member the (signature, issuer and audience checked) claims describe, or
    `SsoTokenRefused`."""
    moment = now.timestamp()
    slack = leeway.total_seconds()
    if not isinstance(claims.get("exp"), int) or moment - slack >= claims["exp"]:
        raise SsoTokenRefused("expired")
    if not isinstance(claims.get("nbf"), int) or moment + slack < claims["nbf"]:
        raise SsoTokenRefused("not yet valid")
    scopes = claims.get("scp")
    if not isinstance(scopes, str) or SSO_SCOPE not in scopes.split():
        raise SsoTokenRefused("not a token for the tab")
    tenant = claims.get("tid")
    if not isinstance(tenant, str) or tenant.lower() != expected.tenant_id.lower():
        raise SsoTokenRefused("another tenant")
    if claims.get("idp", issuer) != issuer:
        raise SsoTokenRefused("a guest account")
    roles = claims.get("roles")
    if not isinstance(roles, list) or expected.staff_role not in roles:
        raise SsoTokenRefused("no staff role")
    object_id, name = claims.get("oid"), claims.get("name")
    if not isinstance(object_id, str) or not object_id:
        raise SsoTokenRefused("no object id")
    return StaffIdentity(object_id, name if isinstance(name, str) and name else "Staff member")


def _key_id(token: str) -> str:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError as error:
        raise SsoTokenRefused(type(error).__name__) from None
    kid = header.get("kid")
    if not isinstance(kid, str):
        raise SsoTokenRefused("no key id")
    return kid


async def verify_sso_token(
    token: str, keys: SigningKeys, expected: SsoExpected, now: datetime
) -> StaffIdentity:
    """Check signature, issuer and audience, then `check_sso_claims`. Raises `SsoTokenRefused`,
    or `SigningKeysUnavailable` when the tenant's keys cannot be fetched."""
    try:
        key = await keys.key(_key_id(token))
    except UnknownSigningKey:
        raise SsoTokenRefused("unknown signing key") from None
    issuer = await keys.issuer()
    try:
        claims = jwt.decode(
            token,
            key.key,
            algorithms=["RS256"],
            audience=list(expected.audiences),
            issuer=issuer,
            options={
                "require": REQUIRED_CLAIMS,
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
            },
        )
    except jwt.InvalidTokenError as error:
        raise SsoTokenRefused(type(error).__name__) from None
    return check_sso_claims(claims, expected, issuer, now)
