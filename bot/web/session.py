"""The staff session: who is signed in, kept in the store (`consent_store.staff_sessions`) and
found by a random id in an HttpOnly cookie.

The cookie carries only that id (256 random bits). The store keeps its keyed hash (HMAC-SHA256
under a key derived from the session key), the staff member's directory object id, their
display name and the session's CSRF token (both sealed), and when the session started and was
last used. Signing out removes the row, so the cookie, replayed afterwards, is no session.

A session lapses after `SessionLimits.idle` without use and, however much it is used,
`SessionLimits.max_age` after it started (a working day, `IASS_SESSION_MAX_HOURS`): use renews
it only up to that limit. Lapsed sessions are removed whenever a session starts. When the store
cannot be reached no page is served as signed in: the answer is 503
(`bot.web.staff_guard.sessions_unavailable`).

A session started by Teams single sign-on (`in_teams`) lives in Teams' iframe, where the site at
the top is Teams, not ours: browsers send a cookie there only if it is `SameSite=None; Secure`.
Secure cookies need https, which production uses; browsers treat http://localhost as secure, so
the sandbox works too. Forms keep their per-session CSRF token either way (`bot.web.csrf`).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from consent_store.crypto import UnreadableField
from consent_store.staff_sessions import STORE_FAILURES, StaffSessions, StoredSession
from consent_store.unit_of_work import Clock, Store

logger = logging.getLogger(__name__)

IDLE_TIMEOUT = timedelta(hours=8)
MAX_AGE = timedelta(hours=10)
RENEW_AFTER = timedelta(minutes=1)
"""Use renews a session at most this often, so a burst of pages is not a burst of writes (the
idle timeout is counted from the last renewal)."""
MAX_COOKIE_LENGTH = 64

failures: Counter[str] = Counter()
"""How many times this process could not check a staff session, by reason."""


@dataclass(frozen=True)
class StaffSession:
    """Everything the session holds: who is signed in, the token their forms carry, and
    whether Teams single sign-on started it (its cookie then works in Teams' iframe)."""

    object_id: str
    display_name: str
    csrf_token: str
    in_teams: bool = False
    is_manager: bool = False


STAFF_SESSION = web.RequestKey("staff_session", StaffSession)


@dataclass(frozen=True)
class SessionLimits:
    """How long a session lasts: `idle` after its last use, and never more than `max_age`
    after it started."""

    idle: timedelta = IDLE_TIMEOUT
    max_age: timedelta = MAX_AGE

    def lapses_at(self, started_at: datetime, last_seen_at: datetime) -> datetime:
        return min(last_seen_at + self.idle, started_at + self.max_age)


class SessionsUnavailable(Exception):
    """The store holding the sessions could not be reached; the message is the error's type."""


@dataclass(frozen=True)
class _Current:
    """The request's session, the cookie value that found it, and when it lapses."""

    session: StaffSession
    cookie: str
    lapses_at: datetime


class Sessions:
    """Starts, finds, renews and ends sessions. With https, the cookie is Secure and takes the
    `__Host-` prefix, so no other host or path can set it."""

    def __init__(
        self,
        store: Store,
        secret: bytes,
        *,
        secure: bool,
        clock: Clock,
        limits: SessionLimits = SessionLimits(),
    ) -> None:
        self._store = store
        self._id_key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"iass-web staff session id"
        ).derive(secret)
        self._secure = secure
        self._clock = clock
        self._limits = limits
        self.name = "__Host-iass-staff" if secure else "iass-staff"

    async def start(
        self, response: web.StreamResponse, session: StaffSession, replacing: web.Request | None
    ) -> None:
        """Store a new session and set its cookie on `response`; the session the `replacing`
        request carried, if any, ends, and so do all lapsed sessions."""
        cookie = secrets.token_urlsafe(32)
        now = self._clock()
        previous = None if replacing is None else self._session_id_of(replacing)
        try:
            async with self._store.unit_of_work() as uow:
                sessions = StaffSessions(uow)
                if previous is not None:
                    await sessions.remove(previous)
                lapsed = await sessions.remove_lapsed(
                    started_before=now - self._limits.max_age, seen_before=now - self._limits.idle
                )
                await sessions.add(
                    self._session_id(cookie),
                    StoredSession(
                        session.object_id,
                        session.display_name,
                        session.csrf_token,
                        session.in_teams,
                        created_at=now,
                        last_seen_at=now,
                        is_manager=session.is_manager,
                    ),
                )
                await uow.commit()
        except STORE_FAILURES as error:
            raise SessionsUnavailable(type(error).__name__) from None
        if lapsed:
            logger.info("removed %d lapsed staff sessions", lapsed)
        self._write(response, cookie, session.in_teams, self._limits.lapses_at(now, now) - now)

    async def end(
        self, request: web.Request, response: web.StreamResponse, *, in_teams: bool = False
    ) -> None:
        """End the session `request` carries (if any) and clear its cookie on `response`."""
        session_id = self._session_id_of(request)
        if session_id is not None:
            try:
                async with self._store.unit_of_work() as uow:
                    await StaffSessions(uow).remove(session_id)
                    await uow.commit()
            except STORE_FAILURES as error:
                raise SessionsUnavailable(type(error).__name__) from None
        response.del_cookie(self.name, path="/", httponly=True, **self._cross_site(in_teams))

    async def _current(self, request: web.Request) -> _Current | None:
        """The session the request's cookie names, if it has not lapsed; renewed now."""
        cookie = request.cookies.get(self.name)
        if cookie is None or not _plausible(cookie):
            return None
        session_id = self._session_id(cookie)
        now = self._clock()
        try:
            async with self._store.reading() as uow:
                stored = await StaffSessions(uow).find(session_id)
            if stored is None:
                return None
            lapses_at = self._limits.lapses_at(stored.created_at, stored.last_seen_at)
            if now >= lapses_at:
                return None
            if now - stored.last_seen_at >= RENEW_AFTER:
                async with self._store.unit_of_work() as uow:
                    await StaffSessions(uow).seen(session_id, now)
                    await uow.commit()
                lapses_at = self._limits.lapses_at(stored.created_at, now)
        except STORE_FAILURES as error:
            raise SessionsUnavailable(type(error).__name__) from None
        except UnreadableField as error:
            failures["unreadable"] += 1
            logger.warning(
                "a staff session could not be read: %s (%d so far)", error, failures["unreadable"]
            )
            return None
        session = StaffSession(
            stored.object_id,
            stored.display_name,
            stored.csrf_token,
            stored.in_teams,
            is_manager=stored.is_manager,
        )
        return _Current(session, cookie, lapses_at)

    def _session_id(self, cookie: str) -> str:
        return hmac.new(self._id_key, cookie.encode(), hashlib.sha256).hexdigest()

    def _session_id_of(self, request: web.Request) -> str | None:
        cookie = request.cookies.get(self.name)
        return None if cookie is None or not _plausible(cookie) else self._session_id(cookie)

    def _write(
        self, response: web.StreamResponse, cookie: str, in_teams: bool, lasts: timedelta
    ) -> None:
        response.set_cookie(
            self.name,
            cookie,
            max_age=max(int(lasts.total_seconds()), 1),
            path="/",
            httponly=True,
            **self._cross_site(in_teams),
        )

    def _cross_site(self, in_teams: bool) -> dict[str, Any]:
        """The attributes that let (or stop) the cookie travel inside Teams' iframe."""
        if in_teams:
            return {"secure": True, "samesite": "None"}
        return {"secure": self._secure, "samesite": "Lax"}

    def middleware(self) -> Middleware:
        """Puts the session (if any) on the request, and renews its cookie on the way out
        unless the handler has set or cleared it itself. `SessionsUnavailable` when the store
        cannot be reached (`bot.web.staff_guard.sessions_unavailable` answers it)."""

        @web.middleware
        async def load_and_renew(request: web.Request, handler: Handler) -> web.StreamResponse:
            current = await self._current(request)
            if current is not None:
                request[STAFF_SESSION] = current.session
            response = await handler(request)
            if current is not None and self.name not in response.cookies:
                lasts = current.lapses_at - self._clock()
                self._write(response, current.cookie, current.session.in_teams, lasts)
            return response

        return load_and_renew


def _plausible(cookie: str) -> bool:
    """Whether a cookie value could be one this module made (URL-safe base64, short)."""
    return cookie.isascii() and 0 < len(cookie) <= MAX_COOKIE_LENGTH
