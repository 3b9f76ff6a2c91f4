"""The manager app role (`IASS_MANAGER_ROLE`, IASS.Manager by default) signs in to the staff
pages as the staff role does; a token with neither is refused, and with no manager role
configured only the staff role counts."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.config import TenantSettings
from bot.web.id_token import TokenRefused, check_claims
from tests.web.test_id_token import EXPECTED, NOW, claims

WITH_MANAGER = replace(EXPECTED, manager_role="IASS.Manager")


@pytest.mark.parametrize(
    "roles", [["IASS.Manager"], ["IASS.Staff"], ["IASS.Staff", "IASS.Manager"]]
)
def test_either_role_signs_in(roles: list[str]) -> None:
    assert check_claims(claims(roles=roles), WITH_MANAGER, NOW).object_id


@pytest.mark.parametrize("roles", [["IASS.Reader"], [], ["iass.manager"]])
def test_neither_role_is_refused(roles: list[str]) -> None:
    with pytest.raises(TokenRefused, match="no staff role"):
        check_claims(claims(roles=roles), WITH_MANAGER, NOW)


def test_without_a_manager_role_configured_the_manager_is_refused() -> None:
    with pytest.raises(TokenRefused):
        check_claims(claims(roles=["IASS.Manager"]), EXPECTED, NOW)


def test_the_manager_role_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    assert TenantSettings(_env_file=None).manager_role == "IASS.Manager"  # type: ignore[call-arg]
    monkeypatch.setenv("IASS_MANAGER_ROLE", "SEND.ServiceManager")
    assert TenantSettings(_env_file=None).manager_role == "SEND.ServiceManager"  # type: ignore[call-arg]
