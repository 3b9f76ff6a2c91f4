"""A sign-in in progress: msal's flow (state, nonce, PKCE verifier) and the page to return to,
sealed in a short-lived cookie that only `/auth` routes see.

Entra ID answers with a cross-site form POST, and browsers send a SameSite=Lax cookie only on
same-site POSTs, so over https the cookie is `SameSite=None; Secure`. Plain http is for local
development against the sandbox served on the same host name (same site), where Lax works."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiohttp import web

from bot.web.sealing import Sealer
from consent_store.unit_of_work import Clock

SIGN_IN_TIMEOUT = timedelta(minutes=15)
COOKIE_PATH = "/auth"
HOME = "/tab"


def safe_return_path(value: str | None) -> str:
    """`value` if it is a staff page of this site (`/tab` or below), else the staff home."""
    if value is None or "\\" in value or "//" in value:
        return HOME
    if value == HOME or value.startswith((HOME + "/", HOME + "?")):
        return value
    return HOME


@dataclass(frozen=True)
class PendingSignIn:
    flow: dict[str, Any]
    return_to: str


class PendingSignIns:
    def __init__(self, secret: bytes, *, secure: bool, clock: Clock) -> None:
        self._sealer = Sealer(secret, "sign-in in progress")
        self._secure = secure
        self._clock = clock
        self.name = "__Secure-iass-sign-in" if secure else "iass-sign-in"

    def write(self, response: web.StreamResponse, pending: PendingSignIn) -> None:
        response.set_cookie(
            self.name,
            self._sealer.seal(
                {"flow": pending.flow, "return_to": pending.return_to}, self._clock()
            ),
            max_age=int(SIGN_IN_TIMEOUT.total_seconds()),
            path=COOKIE_PATH,
            httponly=True,
            secure=self._secure,
            samesite="None" if self._secure else "Lax",
        )

    def read(self, request: web.Request) -> PendingSignIn | None:
        value = request.cookies.get(self.name)
        opened = None if value is None else self._sealer.open(value, SIGN_IN_TIMEOUT, self._clock())
        if opened is None or not isinstance(opened.get("flow"), dict):
            return None
        return_to = opened.get("return_to")
        return PendingSignIn(
            flow=opened["flow"],
            return_to=safe_return_path(return_to if isinstance(return_to, str) else None),
        )

    def clear(self, response: web.StreamResponse) -> None:
        response.del_cookie(
            self.name,
            path=COOKIE_PATH,
            secure=self._secure,
            httponly=True,
            samesite="None" if self._secure else "Lax",
        )
