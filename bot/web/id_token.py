"""Checking the ID token a staff sign-in ends with (msal 1.38 and later no longer do).

The signature must verify against a key the tenant publishes (RS256 only), the issuer must be
the tenant's, the audience the bot's app id, and the token must be inside its lifetime (with a
little leeway for clocks) and carry the nonce this sign-in sent. Then the person must belong to
the configured tenant and hold the staff app role. Anything else is refused.

The signature, lifetime and staff checks are shared with the Teams tab's sign-in
(`teams_sso_token`)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt

from bot.web.signing_keys import SigningKeys, UnknownSigningKey

LEEWAY = timedelta(minutes=2)
REQUIRED_CLAIMS = ["iss", "aud", "exp", "nbf", "iat", "nonce", "tid", "oid"]


class TokenRefused(Exception):
    """A staff sign-in's token is not acceptable; the message names why, without personal
    data."""


@dataclass(frozen=True)
class StaffIdentity:
    object_id: str
    display_name: str
    is_manager: bool = False


@dataclass(frozen=True)
class Expected:
    """What a sign-in's ID token must say. `nonce` is the one the sign-in kept; Entra echoes
    the value msal sent, its SHA-256 in hex."""

    audience: str
    tenant_id: str
    staff_role: str
    nonce: str
    manager_role: str = ""

    @property
    def nonce_claim(self) -> str:
        return hashlib.sha256(self.nonce.encode("ascii")).hexdigest()


def check_lifetime(claims: Mapping[str, Any], now: datetime, leeway: timedelta = LEEWAY) -> None:
    """Refuse a token outside its lifetime (`exp`, `nbf`), give or take `leeway`."""
    moment = now.timestamp()
    slack = leeway.total_seconds()
    if not isinstance(claims.get("exp"), int) or moment - slack >= claims["exp"]:
        raise TokenRefused("expired")
    if not isinstance(claims.get("nbf"), int) or moment + slack < claims["nbf"]:
        raise TokenRefused("not yet valid")


def staff_identity(
    claims: Mapping[str, Any], tenant_id: str, staff_role: str, manager_role: str = ""
) -> StaffIdentity:
    """The staff member the claims describe: of our tenant (`tid`), holding the staff or the
    manager app role (`roles`), with an object id (`oid`); `TokenRefused` otherwise."""
    tenant = claims.get("tid")
    if not isinstance(tenant, str) or tenant.lower() != tenant_id.lower():
        raise TokenRefused("another tenant")
    roles = claims.get("roles")
    held = {role for role in roles if isinstance(role, str)} if isinstance(roles, list) else set()
    if staff_role not in held and not (manager_role and manager_role in held):
        raise TokenRefused("no staff role")
    object_id, name = claims.get("oid"), claims.get("name")
    if not isinstance(object_id, str) or not object_id:
        raise TokenRefused("no object id")
    return StaffIdentity(
        object_id,
        name if isinstance(name, str) and name else "Staff member",
        is_manager=bool(manager_role) and manager_role in held,
    )


def check_claims(
    claims: Mapping[str, Any], expected: Expected, now: datetime, leeway: timedelta = LEEWAY
) -> StaffIdentity:
    """The staff member the (signature-checked) claims describe, or `TokenRefused`."""
    check_lifetime(claims, now, leeway)
    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or not hmac.compare_digest(
        nonce.encode(), expected.nonce_claim.encode()
    ):
        raise TokenRefused("nonce does not match")
    return staff_identity(claims, expected.tenant_id, expected.staff_role, expected.manager_role)


def _key_id(token: str) -> str:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError as error:
        raise TokenRefused(type(error).__name__) from None
    kid = header.get("kid")
    if not isinstance(kid, str):
        raise TokenRefused("no key id")
    return kid


async def signed_claims(
    token: str, keys: SigningKeys, audience: str | Sequence[str], required: Sequence[str]
) -> tuple[dict[str, Any], str]:
    """The token's claims and the tenant's issuer, once the signature (RS256, by a key the
    tenant publishes), issuer, audience and presence of the `required` claims check out;
    lifetime is left to `check_lifetime`. Raises `TokenRefused`, or `SigningKeysUnavailable`
    when the tenant's keys cannot be fetched."""
    try:
        key = await keys.key(_key_id(token))
    except UnknownSigningKey:
        raise TokenRefused("unknown signing key") from None
    issuer = await keys.issuer()
    try:
        claims = jwt.decode(
            token,
            key.key,
            algorithms=["RS256"],
            audience=audience,
            issuer=issuer,
            options={
                "require": list(required),
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
            },
        )
    except jwt.InvalidTokenError as error:
        raise TokenRefused(type(error).__name__) from None
    return claims, issuer


async def verify_id_token(
    token: str, keys: SigningKeys, expected: Expected, now: datetime
) -> StaffIdentity:
    """Check signature, issuer and audience (`signed_claims`), then `check_claims`. Raises
    `TokenRefused`, or `SigningKeysUnavailable` when the tenant's keys cannot be fetched."""
    claims, _issuer = await signed_claims(token, keys, expected.audience, REQUIRED_CLAIMS)
    return check_claims(claims, expected, now)
