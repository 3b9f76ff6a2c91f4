"""The staff pages' forms and the sign-in callback answer a body aiohttp cannot read as a form
400 (never 500, nothing from it logged); a POST without a staff session is refused ("please
sign in", 403) before its body is read; Teams sign-on reads no body, so a malformed one changes
nothing."""

from __future__ import annotations

import logging

import aiohttp
import pytest

from tests.bad_bodies import MARKER, assert_refused_quietly
from tests.web.staff_site import StaffServer

FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"

NOT_A_FORM = {
    "invalid UTF-8": (f"csrf_token=x&title={MARKER}".encode() + b"\xff\xfe", FORM),
    "an unknown charset": (f"title={MARKER}".encode(), f"{FORM}; charset=no-such"),
    "multipart without a boundary": (f"title={MARKER}".encode(), MULTIPART),
    "multipart that is not multipart": (MARKER.encode(), f"{MULTIPART}; boundary=b"),
    "a multipart field without a name": (
        f"--b\r\nContent-Disposition: form-data\r\n\r\n{MARKER}\r\n--b--\r\n".encode(),
        f"{MULTIPART}; boundary=b",
    ),
    "a multipart field not in its charset": (
        b'--b\r\nContent-Disposition: form-data; name="title"\r\n\r\n\xff\xfe\r\n--b--\r\n',
        f"{MULTIPART}; boundary=b",
    ),
}

STAFF_FORMS = [
    "/tab/meetings/new",
    "/tab/meetings/IASS-ABCDEFGH/edit",
    "/tab/review/1/confirm",
    "/auth/sign-out",
]


async def post(
    client: aiohttp.ClientSession, url: str, body: bytes, content_type: str
) -> tuple[int, str]:
    async with client.post(
        url, data=body, headers={"Content-Type": content_type}, allow_redirects=False
    ) as response:
        return response.status, await response.text()


@pytest.mark.parametrize("case", NOT_A_FORM)
@pytest.mark.parametrize("path", STAFF_FORMS)
async def test_a_staff_form_that_cannot_be_read_is_refused(
    signed_in: aiohttp.ClientSession,
    staff_site: StaffServer,
    caplog: pytest.LogCaptureFixture,
    path: str,
    case: str,
) -> None:
    body, content_type = NOT_A_FORM[case]
    status, text = await post(signed_in, staff_site.url(path), body, content_type)
    assert (status, "Traceback" in text) == (400, False)
    assert_refused_quietly(caplog)


@pytest.mark.parametrize("case", NOT_A_FORM)
async def test_a_sign_in_answer_that_cannot_be_read_is_refused(
    client: aiohttp.ClientSession,
    staff_site: StaffServer,
    caplog: pytest.LogCaptureFixture,
    case: str,
) -> None:
    body, content_type = NOT_A_FORM[case]
    status, text = await post(client, staff_site.url("/auth/callback"), body, content_type)
    assert (status, "Traceback" in text) == (400, False)
    assert_refused_quietly(caplog)


async def test_without_a_session_a_form_is_refused_unread(
    client: aiohttp.ClientSession, staff_site: StaffServer, caplog: pytest.LogCaptureFixture
) -> None:
    body, content_type = NOT_A_FORM["invalid UTF-8"]
    status, _ = await post(client, staff_site.url("/tab/meetings/new"), body, content_type)
    assert status == 403
    assert not any(r.name == "bot.web.json_body" for r in caplog.records)


async def test_teams_sign_on_reads_no_body(
    client: aiohttp.ClientSession, staff_site: StaffServer, caplog: pytest.LogCaptureFixture
) -> None:
    nested = b"[" * 100_000 + b"]" * 100_000
    status, text = await post(client, staff_site.url("/auth/teams-sso"), nested, "application/json")
    assert (status, text) == (400, '{"error": "no_token"}')
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
