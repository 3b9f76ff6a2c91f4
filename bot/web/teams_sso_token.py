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
without the role is refused. And it must have been asked for by a Teams client (`azp` in v2.0
tokens, `appid` in v1.0 ones): a token another application obtained for this app (any client
the tenant lets ask for `access_as_user`) is not Teams signing a staff member in. Nothing from
the token is kept beyond the session's object id and display name."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.web.id_token import (
    LEEWAY,
    StaffIdentity,
    TokenRefused,
    check_lifetime,
    signed_claims,
    staff_identity,
)
from bot.web.signing_keys import SigningKeys

SSO_SCOPE = "access_as_user"
REQUIRED_CLAIMS = ["iss", "aud", "exp", "nbf", "iat", "tid", "oid", "scp"]

TEAMS_CLIENT_IDS = frozenset(
    {
        # Teams mobile or desktop application, and Teams web application: the client ids
        # "Configure your tab app in Microsoft Entra ID" tells tab apps to preauthorise
        # (https://learn.microsoft.com/microsoftteams/platform/tabs/how-to/authentication/tab-sso-register-aad,
        # "To configure authorized client application"). The same table's Microsoft 365 and
        # Outlook clients are left out: the staff tab is a Teams tab, so a token from them is
        # refused and staff sign in in the browser instead.
        "1fec8e78-bce4-4aaf-ab1b-5451cc387264",
        "5e3ce6c0-2b1f-4285-8d4b-75ee78787346",
    }
)
"""The Teams clients that may ask Entra for the tab's SSO token."""


@dataclass(frozen=True)
class SsoExpected:
    """What a Teams SSO token for this app must say."""

    audiences: Collection[str]
    tenant_id: str
    staff_role: str
    manager_role: str = ""


def check_sso_claims(
    claims: Mapping[str, Any],
    expected: SsoExpected,
    issuer: str,
    now: datetime,
    leeway: timedelta = LEEWAY,
) -> StaffIdentity:
    """The staff member the (signature, issuer and audience checked) claims describe, or
    `TokenRefused`."""
    check_lifetime(claims, now, leeway)
    scopes = claims.get("scp")
    if not isinstance(scopes, str) or SSO_SCOPE not in scopes.split():
        raise TokenRefused("not a token for the tab")
    if claims.get("idp", issuer) != issuer:
        raise TokenRefused("a guest account")
    if requesting_client(claims) not in TEAMS_CLIENT_IDS:
        raise TokenRefused("not asked for by Teams")
    return staff_identity(claims, expected.tenant_id, expected.staff_role, expected.manager_role)


def requesting_client(claims: Mapping[str, Any]) -> object:
    """The application that asked for the token: `azp` in a v2.0 access token, `appid` in a
    v1.0 one (Microsoft's access token claims reference,
    https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference)."""
    return claims.get("appid") if claims.get("ver") == "1.0" else claims.get("azp")


async def verify_sso_token(
    token: str, keys: SigningKeys, expected: SsoExpected, now: datetime
) -> StaffIdentity:
    """Check signature, issuer and audience (`id_token.signed_claims`), then
    `check_sso_claims`. Raises `TokenRefused`, or `SigningKeysUnavailable` when the tenant's
    keys cannot be fetched."""
    claims, issuer = await signed_claims(token, keys, list(expected.audiences), REQUIRED_CLAIMS)
    return check_sso_claims(claims, expected, issuer, now)
