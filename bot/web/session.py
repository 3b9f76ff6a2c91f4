"""The staff session: who is signed in, kept in an encrypted HttpOnly cookie.

The cookie holds only the staff member's directory object id, display name and the session's
CSRF token. It lapses after `IDLE_TIMEOUT` without use: every page served renews it.

A session started by Teams single sign-on (`in_teams`) lives in Teams' iframe, where the site at
the top is Teams, not ours: browsers send a cookie there only if it is `SameSite=None; Secure`.
Secure cookies need https, which production uses; browsers treat http://localhost as secure, so
the sandbox works too. Forms keep their per-session CSRF token either way (`bot.web.csrf`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from bot.web.sealing import Sealer
from consent_store.unit_of_work import Clock

IDLE_TIMEOUT = timedelta(hours=8)


@dataclass(frozen=True)
class StaffSession:
    """Everything the session holds: who is signed in, the token their forms carry, and
    whether Teams single sign-on started it (its cookie then works in Teams' iframe)."""

    object_id: str
    display_name: str
    csrf_token: str
    in_teams: bool = False


STAFF_SESSION = web.RequestKey("staff_session", StaffSession)


class SessionCookies:
    """Reads, writes and clears the session cookie. With https, the cookie is Secure and takes
    the `__Host-` prefix, so no other host or path can set it."""

    def __init__(
        self, secret: bytes, *, secure: bool, clock: Clock, idle_timeout: timedelta = IDLE_TIMEOUT
    ) -> None:
        self._sealer = Sealer(secret, "staff session")
        self._secure = secure
        self._clock = clock
        self._idle_timeout = idle_timeout
        self.name = "__Host-iass-staff" if secure else "iass-staff"

    def encode(self, session: StaffSession) -> str:
        fields: dict[str, Any] = {
            "oid": session.object_id,
            "name": session.display_name,
            "csrf": session.csrf_token,
        }
        if session.in_teams:
            fields["teams"] = True
        return self._sealer.seal(fields, self._clock())

    def decode(self, value: str) -> StaffSession | None:
        opened = self._sealer.open(value, self._idle_timeout, self._clock())
        if opened is None:
            return None
        fields = (opened.get("oid"), opened.get("name"), opened.get("csrf"))
        if not all(isinstance(field, str) and field for field in fields):
            return None
        object_id, display_name, csrf_token = fields
        return StaffSession(
            str(object_id), str(display_name), str(csrf_token), opened.get("teams") is True
        )

    def read(self, request: web.Request) -> StaffSession | None:
        value = request.cookies.get(self.name)
        return None if value is None else self.decode(value)

    def write(self, response: web.StreamResponse, session: StaffSession) -> None:
        response.set_cookie(
            self.name,
            self.encode(session),
            max_age=int(self._idle_timeout.total_seconds()),
            path="/",
            httponly=True,
            **self._cross_site(session.in_teams),
        )

    def clear(self, response: web.StreamResponse, *, in_teams: bool = False) -> None:
        response.del_cookie(self.name, path="/", httponly=True, **self._cross_site(in_teams))

    def _cross_site(self, in_teams: bool) -> dict[str, Any]:
        """The attributes that let (or stop) the cookie travel inside Teams' iframe."""
        if in_teams:
            return {"secure": True, "samesite": "None"}
        return {"secure": self._secure, "samesite": "Lax"}

    def middleware(self) -> Middleware:
        """Puts the session (if any) on the request, and renews it on the way out unless the
        handler has set or cleared the cookie itself."""

        @web.middleware
        async def load_and_renew(request: web.Request, handler: Handler) -> web.StreamResponse:
            session = self.read(request)
            if session is not None:
                request[STAFF_SESSION] = session
            response = await handler(request)
            if session is not None and self.name not in response.cookies:
                self.write(response, session)
            return response

        return load_and_renew
