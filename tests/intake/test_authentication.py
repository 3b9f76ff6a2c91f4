"""The Authentication-Results verdict, as Microsoft 365 writes the header."""

from __future__ import annotations

import pytest

from bot.intake.authentication import authentication_verdict
from domain.terms import AuthVerdict

M365_PASS = (
    "spf=pass (sender IP is 203.0.113.25) smtp.mailfrom=example.org; dkim=pass (signature was"
    " verified) header.d=example.org;dmarc=pass action=none header.from=example.org;compauth=pass"
    " reason=100"
)


@pytest.mark.parametrize(
    ("header", "verdict"),
    [
        (M365_PASS, AuthVerdict.PASS),
        ("dmarc=pass action=none header.from=example.org", AuthVerdict.PASS),
        (
            "dmarc=bestguesspass action=none header.from=example.org;compauth=pass reason=109",
            AuthVerdict.PASS,
        ),
        (
            "dmarc=fail action=oreject header.from=example.org;compauth=fail reason=000",
            AuthVerdict.FAIL,
        ),
        (
            "spf=none; dkim=none; dmarc=none action=none header.from=example.net;compauth=fail"
            " reason=601",
            AuthVerdict.FAIL,
        ),
        ("dmarc=pass header.from=example.org;compauth=fail reason=601", AuthVerdict.FAIL),
        ("dmarc=fail header.from=example.org;compauth=pass reason=100", AuthVerdict.FAIL),
        ("mx.example.net; dmarc=pass header.from=example.org", AuthVerdict.PASS),
        ("compauth=softpass reason=201", AuthVerdict.NONE),
        ("dmarc=bestguesspass action=none header.from=example.org", AuthVerdict.NONE),
        ("spf=pass smtp.mailfrom=example.org; dkim=pass header.d=example.org", AuthVerdict.NONE),
        ("dmarc=temperror", AuthVerdict.NONE),
        ("spf=pass (comment; dmarc=pass) smtp.mailfrom=example.org", AuthVerdict.NONE),
        ('spf=pass smtp.mailfrom="a;dmarc=pass"@example.org', AuthVerdict.NONE),
        ("dmarc=pass (unclosed comment", AuthVerdict.NONE),
        ("dmarc=", AuthVerdict.NONE),
        ("dmarc=pass; " * 10, AuthVerdict.NONE),
        ("spf=pass (" + "x" * 5000 + ") ; dmarc=pass", AuthVerdict.NONE),
        ("", AuthVerdict.NONE),
        (None, AuthVerdict.NONE),
    ],
)
def test_verdict(header: str | None, verdict: AuthVerdict) -> None:
    assert authentication_verdict(header) is verdict
