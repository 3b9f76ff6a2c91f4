"""The ID-token checks on their own: lifetime with leeway, nonce, tenant and role; and the
tenant's signing keys fetched once and fetched again only for a new key id, not too often."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

import bot.web.signing_keys as signing_keys_module
from bot.graph.authority_session import authority_session
from bot.graph.config import GraphClientConfig
from bot.web.id_token import Expected, StaffIdentity, TokenRefused, check_claims, verify_id_token
from bot.web.signing_keys import SigningKeys
from sandbox.seed import BOT_CLIENT_ID, BOT_CLIENT_SECRET, COORDINATOR, TENANT_ID
from tests.conftest import FakeClock
from tests.web.staff_site import RunningSandbox

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
NONCE = "the-nonce-this-sign-in-kept"
EXPECTED = Expected(
    audience=BOT_CLIENT_ID, tenant_id=TENANT_ID, staff_role="IASS.Staff", nonce=NONCE
)


def claims(**changes: Any) -> dict[str, Any]:
    moment = int(NOW.timestamp())
    base: dict[str, Any] = {
        "iss": f"https://login.microsoftonline.com/{TENANT_ID}/v2.0",
        "aud": BOT_CLIENT_ID,
        "iat": moment - 60,
        "nbf": moment - 60,
        "exp": moment + 3540,
        "nonce": hashlib.sha256(NONCE.encode()).hexdigest(),
        "tid": TENANT_ID,
        "oid": COORDINATOR.object_id,
        "name": COORDINATOR.display_name,
        "roles": ["IASS.Staff"],
    }
    return {**base, **changes}


def test_good_claims_name_the_staff_member() -> None:
    assert check_claims(claims(), EXPECTED, NOW) == StaffIdentity(
        COORDINATOR.object_id, COORDINATOR.display_name
    )


def test_tenant_ids_compare_without_case() -> None:
    assert check_claims(claims(tid=TENANT_ID.upper()), EXPECTED, NOW).object_id


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"exp": int(NOW.timestamp()) - 121}, "expired"),
        ({"nbf": int(NOW.timestamp()) + 121}, "not yet valid"),
        ({"exp": "tomorrow"}, "expired"),
        ({"nonce": hashlib.sha256(b"another").hexdigest()}, "nonce does not match"),
        ({"nonce": NONCE}, "nonce does not match"),
        ({"tid": "0c0ffee0-1111-4222-8333-444455556666"}, "another tenant"),
        ({"roles": []}, "no staff role"),
        ({"roles": "IASS.Staff"}, "no staff role"),
        ({"roles": ["iass.staff"]}, "no staff role"),
        ({"oid": ""}, "no object id"),
    ],
)
def test_claims_are_refused(changes: dict[str, Any], reason: str) -> None:
    with pytest.raises(TokenRefused, match=reason):
        check_claims(claims(**changes), EXPECTED, NOW)


def test_two_minutes_of_clock_difference_are_allowed() -> None:
    moment = int(NOW.timestamp())
    assert check_claims(claims(exp=moment - 119, nbf=moment + 119), EXPECTED, NOW).object_id


@pytest.fixture
def fetches(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The URLs the signing keys are fetched from, in order."""
    seen: list[str] = []
    genuine = signing_keys_module._get_json

    def counting(http: requests.Session, url: str) -> dict[str, Any]:
        seen.append(url)
        return genuine(http, url)

    monkeypatch.setattr(signing_keys_module, "_get_json", counting)
    return seen


def sandbox_keys(sandbox: RunningSandbox, clock: FakeClock) -> SigningKeys:
    config = GraphClientConfig(
        tenant_id=TENANT_ID,
        client_id=BOT_CLIENT_ID,
        client_secret=BOT_CLIENT_SECRET,
        authority_rewrite_to=sandbox.origin,
    )
    http = authority_session(config.authority_host, sandbox.origin)
    return SigningKeys(config, http, clock)


async def test_signing_keys_are_fetched_once_and_again_for_an_unknown_key_id(
    sandbox: RunningSandbox, fetches: list[str]
) -> None:
    clock = FakeClock(datetime.now(UTC))
    keys = sandbox_keys(sandbox, clock)
    now = datetime.now(UTC)
    token = sandbox.tenant.signing_key.sign(
        claims(iat=int(now.timestamp()), nbf=int(now.timestamp()), exp=int(now.timestamp()) + 600)
    )
    for _ in range(3):
        identity = await verify_id_token(token, keys, EXPECTED, now)
        assert identity.object_id == COORDINATOR.object_id
    assert len(fetches) == 2
    assert fetches[0].endswith(f"/{TENANT_ID}/v2.0/.well-known/openid-configuration")

    await _refused_for_unknown_key(token, keys, now)
    assert len(fetches) == 2, "fetched again less than five minutes after the last fetch"
    clock.now += timedelta(minutes=5)
    await _refused_for_unknown_key(token, keys, now)
    assert len(fetches) == 4
    await _refused_for_unknown_key(token, keys, now)
    assert len(fetches) == 4
    clock.now += timedelta(hours=24)
    await verify_id_token(token, keys, EXPECTED, now)
    assert len(fetches) == 6, "keys are fetched again after a day"


async def _refused_for_unknown_key(token: str, keys: SigningKeys, now: datetime) -> None:
    header, payload, signature = token.split(".")
    decoded = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    decoded["kid"] = "rolled-over-key"
    other = base64.urlsafe_b64encode(json.dumps(decoded).encode()).rstrip(b"=").decode()
    with pytest.raises(TokenRefused, match="unknown signing key"):
        await verify_id_token(f"{other}.{payload}.{signature}", keys, EXPECTED, now)
