"""The staff session: who is signed in, kept in an encrypted HttpOnly cookie.

The cookie holds only the staff member's directory object id, display name and the session's
CSRF token. It lapses after `IDLE_TIMEOUT` without use: every page served renews it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from bot.web.sealing import Sealer
from consent_store.unit_of_work import Clock

IDLE_TIMEOUT = timedelta(hours=8)


@dataclass(frozen=True)
class StaffSession:
    """Everything the session holds: who is signed in, and the token their forms carry."""

    object_id: str
    display_name: str
    csrf_token: str


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
        return self._sealer.seal(
            {"oid": session.object_id, "name": session.display_name, "csrf": session.csrf_token},
            self._clock(),
        )

    def decode(self, value: str) -> StaffSession | None:
        opened = self._sealer.open(value, self._idle_timeout, self._clock())
        if opened is None:
            return None
        fields = (opened.get("oid"), opened.get("name"), opened.get("csrf"))
        if not all(isinstance(field, str) and field for field in fields):
            return None
        object_id, display_name, csrf_token = fields
        return StaffSession(str(object_id), str(display_name), str(csrf_token))

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
            secure=self._secure,
            samesite="Lax",
        )

    def clear(self, response: web.StreamResponse) -> None:
        response.del_cookie(self.name, path="/", secure=self._secure, httponly=True, samesite="Lax")

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
