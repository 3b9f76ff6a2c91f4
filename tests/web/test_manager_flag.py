"""Whether a staff member signed in as the service manager comes from the token's app roles,
and is kept with the session."""

from __future__ import annotations

from bot.web.id_token import staff_identity

TENANT = "8c5b6a1e-1111-4b2a-9c3d-2f1e0d9c8b7a"


def claims(*roles: str) -> dict[str, object]:
    return {"tid": TENANT, "roles": list(roles), "oid": "object-1", "name": "Asha"}


def test_the_manager_role_makes_a_manager_session() -> None:
    assert staff_identity(claims("IASS.Manager"), TENANT, "IASS.Staff", "IASS.Manager").is_manager
    assert staff_identity(
        claims("IASS.Staff", "IASS.Manager"), TENANT, "IASS.Staff", "IASS.Manager"
    ).is_manager


def test_the_staff_role_alone_does_not() -> None:
    assert not staff_identity(claims("IASS.Staff"), TENANT, "IASS.Staff", "IASS.Manager").is_manager
    assert not staff_identity(claims("IASS.Staff"), TENANT, "IASS.Staff", "").is_manager
