"""The staff session (kept in the store, found by a random id in an HttpOnly, SameSite cookie;
idle timeout, renewed on use up to a working day; ended at sign-out for good; 503 when it
cannot be checked), CSRF protection of every form, and the security headers on staff pages."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import select
from yarl import URL

from bot.services.review_queue import open_items
from bot.web.pending_sign_in import PendingSignIn, PendingSignIns
from bot.web.sealing import Sealer
from bot.web.security_headers import CONTENT_SECURITY_POLICY
from bot.web.session import Sessions
from consent_store.tables import StaffSessionRow
from consent_store.unit_of_work import Store, utc_now
from tests import databases
from tests.builders import schedule
from tests.conftest import FakeClock
from tests.web.review_items import queue_item
from tests.web.staff_site import (
    CSRF_TOKEN,
    SESSION_KEY,
    STAFF_SESSION,
    RunningSandbox,
    StaffServer,
    serving_staff_pages,
)


async def is_signed_in(client: aiohttp.ClientSession, server: StaffServer) -> bool:
    home = await client.get(server.url("/tab"), allow_redirects=False)
    return home.status == 200


async def stored_sessions(store: Store) -> int:
    async with store.reading() as uow:
        return len((await uow.session.scalars(select(StaffSessionRow.id))).all())


def _folder_instead(path: Path) -> None:
    path.unlink()
    path.mkdir()


async def make_unreachable(store: Store, database_url: str) -> None:
    """Take the store's database away, as an outage would: the SQLite file becomes a folder
    (no database can be opened there); the PostgreSQL database is dropped."""
    await store.engine.dispose()
    if database_url.startswith("sqlite"):
        path = Path(database_url.removeprefix("sqlite+aiosqlite:///"))
        await asyncio.to_thread(_folder_instead, path)
    else:
        await databases.drop_postgres_database(database_url.rsplit("/", 1)[1])


async def test_a_post_without_the_csrf_token_is_refused(
    store: Store, signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    meeting, (parent, _, _) = await schedule(store)
    item = await queue_item(store, meeting, parent)
    for fields in ({}, {"csrf_token": ""}, {"csrf_token": CSRF_TOKEN + "x"}):
        refused = await signed_in.post(
            staff_site.url(f"/tab/review/{item}/reject"),
            data={"reason": "cannot_tell", **fields},
        )
        assert refused.status == 403
        text = await refused.text()
        assert "This form could not be accepted" in text
        assert "Nothing was changed." in text
    async with store.unit_of_work() as uow:
        assert [open_item.id for open_item in await open_items(uow)] == [item]


async def test_sign_out_needs_the_token_and_ends_the_session(
    signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    forged = await signed_in.post(staff_site.url("/auth/sign-out"), allow_redirects=False)
    assert forged.status == 403
    assert await is_signed_in(signed_in, staff_site)
    kept = {c.key: c.value for c in signed_in.cookie_jar}["iass-staff"]

    signed_out = await signed_in.post(
        staff_site.url("/auth/sign-out"), data={"csrf_token": CSRF_TOKEN}, allow_redirects=False
    )
    assert signed_out.status == 303
    assert signed_out.headers["Location"] == "/auth/signed-out"
    assert signed_out.cookies["iass-staff"].value == ""
    page = await signed_in.get(staff_site.url("/auth/signed-out"))
    assert "You have signed out" in await page.text()
    assert not await is_signed_in(signed_in, staff_site)

    async with aiohttp.ClientSession(cookies={"iass-staff": kept}) as replayed:
        home = await replayed.get(staff_site.url("/tab"), allow_redirects=False)
        assert home.status == 303, "the cookie kept from before signing out"
        assert home.headers["Location"].startswith("/auth/sign-in")
        refused = await replayed.post(
            staff_site.url("/auth/sign-out"),
            data={"csrf_token": CSRF_TOKEN},
            allow_redirects=False,
        )
        assert refused.status == 403


async def test_the_session_lapses_after_eight_idle_hours_and_use_renews_it(
    store: Store, sandbox: RunningSandbox, clock: FakeClock, client: aiohttp.ClientSession
) -> None:
    async with serving_staff_pages(
        store, sandbox.origin, clock=clock, session_max_hours=24
    ) as server:
        name, value = await server.session_cookie(STAFF_SESSION)
        client.cookie_jar.update_cookies({name: value}, response_url=URL(server.base_url))
        clock.now += timedelta(hours=7)
        assert await is_signed_in(client, server)
        clock.now += timedelta(hours=7)
        assert await is_signed_in(client, server), "renewed seven hours ago"
        clock.now += timedelta(hours=8, seconds=1)
        assert not await is_signed_in(client, server)


async def test_a_session_ends_a_working_day_after_it_started_however_much_it_is_used(
    store: Store, sandbox: RunningSandbox, clock: FakeClock, client: aiohttp.ClientSession
) -> None:
    async with serving_staff_pages(store, sandbox.origin, clock=clock) as server:
        name, value = await server.session_cookie(STAFF_SESSION)
        client.cookie_jar.update_cookies({name: value}, response_url=URL(server.base_url))
        for _ in range(9):
            clock.now += timedelta(hours=1)
            home = await client.get(server.url("/tab"), allow_redirects=False)
            assert home.status == 200
        assert int(home.cookies[name]["max-age"]) == 3600, "renewed only up to ten hours"
        clock.now += timedelta(minutes=59, seconds=59)
        assert await is_signed_in(client, server), "used a minute ago, ten hours not yet up"
        clock.now += timedelta(seconds=1)
        home = await client.get(server.url("/tab"), allow_redirects=False)
        assert home.status == 303
        assert home.headers["Location"].startswith("/auth/sign-in")


async def test_a_longer_working_day_is_a_setting(
    store: Store, sandbox: RunningSandbox, clock: FakeClock, client: aiohttp.ClientSession
) -> None:
    async with serving_staff_pages(
        store, sandbox.origin, clock=clock, session_max_hours=12
    ) as server:
        name, value = await server.session_cookie(STAFF_SESSION)
        client.cookie_jar.update_cookies({name: value}, response_url=URL(server.base_url))
        for _ in range(11):
            clock.now += timedelta(hours=1)
            assert await is_signed_in(client, server)
        clock.now += timedelta(hours=1)
        assert not await is_signed_in(client, server)


async def test_lapsed_sessions_are_removed_when_a_session_starts(
    store: Store, sandbox: RunningSandbox, clock: FakeClock
) -> None:
    async with serving_staff_pages(store, sandbox.origin, clock=clock) as server:
        await server.session_cookie(STAFF_SESSION)
        clock.now += timedelta(hours=4)
        await server.session_cookie(STAFF_SESSION)
        assert await stored_sessions(store) == 2
        clock.now += timedelta(hours=8)
        await server.session_cookie(STAFF_SESSION)
        assert await stored_sessions(store) == 2, "the first lay idle eight hours"
        clock.now += timedelta(hours=11)
        await server.session_cookie(STAFF_SESSION)
        assert await stored_sessions(store) == 1


async def test_a_damaged_forged_or_foreign_cookie_is_no_session(
    store: Store, client: aiohttp.ClientSession, staff_site: StaffServer, clock: FakeClock
) -> None:
    _, genuine = await staff_site.session_cookie(STAFF_SESSION)
    foreign = Sessions(store, b"another-deployment-key-0123456789", secure=False, clock=utc_now)
    foreign_cookie = web.Response()
    await foreign.start(foreign_cookie, STAFF_SESSION, replacing=None)
    sign_in_flow = Sealer(SESSION_KEY.encode(), "sign-in in progress").seal(
        {"oid": STAFF_SESSION.object_id, "name": "x", "csrf": "y"}, clock.now
    )
    for value in (
        genuine[:-4] + "AAAA",
        foreign_cookie.cookies["iass-staff"].value,
        sign_in_flow,
        "é",
        genuine * 2,
    ):
        client.cookie_jar.clear()
        client.cookie_jar.update_cookies(
            {"iass-staff": value}, response_url=URL(staff_site.base_url)
        )
        assert not await is_signed_in(client, staff_site)


async def test_the_cookie_holds_only_a_random_id_and_the_store_no_name_in_clear(
    store: Store, staff_site: StaffServer
) -> None:
    _, cookie = await staff_site.session_cookie(STAFF_SESSION)
    assert len(cookie) == 43
    for secret in (STAFF_SESSION.object_id, STAFF_SESSION.display_name, CSRF_TOKEN):
        assert secret not in cookie
    async with store.reading() as uow:
        (row,) = (await uow.session.scalars(select(StaffSessionRow))).all()
    assert row.id != cookie
    assert row.object_id == STAFF_SESSION.object_id
    for sealed in (row.display_name_enc, row.csrf_token_enc):
        assert STAFF_SESSION.display_name.encode() not in sealed
        assert CSRF_TOKEN.encode() not in sealed


async def test_a_session_whose_sealed_fields_were_moved_is_no_session(
    store: Store,
    client: aiohttp.ClientSession,
    staff_site: StaffServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    name, value = await staff_site.session_cookie(STAFF_SESSION)
    await staff_site.session_cookie(STAFF_SESSION)
    async with store.unit_of_work() as uow:
        first, second = (await uow.session.scalars(select(StaffSessionRow))).all()
        first.display_name_enc, second.display_name_enc = (
            second.display_name_enc,
            first.display_name_enc,
        )
        await uow.session.commit()
    client.cookie_jar.update_cookies({name: value}, response_url=URL(staff_site.base_url))
    with caplog.at_level(logging.WARNING, logger="bot.web.session"):
        home = await client.get(staff_site.url("/tab"), allow_redirects=False)
    assert home.status == 303, "a name sealed for another session does not open"
    assert any(m.startswith("a staff session could not be read:") for m in caplog.messages)


async def test_pages_answer_503_when_sessions_cannot_be_checked(
    store: Store,
    database_url: str,
    client: aiohttp.ClientSession,
    staff_site: StaffServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    name, value = await staff_site.session_cookie(STAFF_SESSION)
    client.cookie_jar.update_cookies({name: value}, response_url=URL(staff_site.base_url))
    assert await is_signed_in(client, staff_site)
    await make_unreachable(store, database_url)
    with caplog.at_level(logging.WARNING, logger="bot.web.staff_guard"):
        for path in ("/tab", "/tab/review", "/auth/sign-in"):
            answer = await client.get(staff_site.url(path), allow_redirects=False)
            assert answer.status == 503
            assert "The staff pages are not available right now" in await answer.text()
            assert "Signed in as" not in await answer.text()
        signing_out = await client.post(
            staff_site.url("/auth/sign-out"), data={"csrf_token": CSRF_TOKEN}
        )
        assert signing_out.status == 503
    assert any(
        m.startswith("staff sessions unavailable:") and m.endswith("so far)")
        for m in caplog.messages
    )
    client.cookie_jar.clear()
    anonymous = await client.get(staff_site.url("/tab"), allow_redirects=False)
    assert anonymous.status == 303, "without a cookie there is nothing to check"


async def test_over_https_cookies_are_secure_and_prefixed(store: Store, clock: FakeClock) -> None:
    response = web.Response()
    await Sessions(store, SESSION_KEY.encode(), secure=True, clock=clock).start(
        response, STAFF_SESSION, replacing=None
    )
    PendingSignIns(SESSION_KEY.encode(), secure=True, clock=clock).write(
        response, PendingSignIn(flow={"state": "s"}, return_to="/tab")
    )
    session = response.cookies["__Host-iass-staff"]
    assert session["secure"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"
    assert session["path"] == "/"
    pending = response.cookies["__Secure-iass-sign-in"]
    assert pending["secure"]
    assert pending["samesite"] == "None", "Entra's form post is cross-site"
    assert pending["path"] == "/auth"


async def test_staff_pages_carry_security_headers(
    signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    for path, status in (("/tab", 200), ("/auth/signed-out", 200), ("/tab/nowhere", 404)):
        answer = await signed_in.get(staff_site.url(path), allow_redirects=False)
        assert answer.status == status
        assert answer.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Referrer-Policy"] == "no-referrer"
        assert answer.headers["Cache-Control"] == "no-store"
        assert "X-Frame-Options" not in answer.headers, "Teams frames the tab"
    assert "script-src" not in CONTENT_SECURITY_POLICY
    assert "default-src 'none'" in CONTENT_SECURITY_POLICY
    assert (
        "frame-ancestors 'self' https://teams.microsoft.com https://*.teams.microsoft.com "
        "https://*.cloud.microsoft" in CONTENT_SECURITY_POLICY
    )
    style = await signed_in.get(staff_site.url("/static/staff.css"))
    assert style.status == 200
    assert style.content_type == "text/css"


async def test_without_a_session_key_sessions_use_a_random_key_and_the_log_says_so(
    store: Store,
    sandbox: RunningSandbox,
    client: aiohttp.ClientSession,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.web.site"):
        async with serving_staff_pages(store, sandbox.origin, session_key="") as server:
            name, value = await server.session_cookie(STAFF_SESSION)
            client.cookie_jar.update_cookies({name: value}, response_url=URL(server.base_url))
            assert not await is_signed_in(client, server)
    assert any("sessions end when the bot restarts" in m for m in caplog.messages)


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"session_key": "too-short"}, "IASS_SESSION_KEY"),
        ({"tenant_id": ""}, "IASS_TENANT_ID"),
        ({"bot_app_secret": ""}, "IASS_BOT_APP_SECRET"),
    ],
)
async def test_staff_pages_say_which_setting_is_missing(
    store: Store,
    sandbox: RunningSandbox,
    client: aiohttp.ClientSession,
    overrides: dict[str, object],
    named: str,
) -> None:
    async with serving_staff_pages(store, sandbox.origin, **overrides) as server:
        for path in ("/tab", "/tab/review", "/auth/sign-in"):
            answer = await client.get(server.url(path), allow_redirects=False)
            assert answer.status == 503
            assert named in await answer.text()
        health = await client.get(server.url("/healthz"))
        assert health.status == 200
