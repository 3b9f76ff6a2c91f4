"""Pages in words for a browser that asks for an address that does not exist, or opens a
form's address; other callers keep the plain answers. Microsoft 365 failures in words."""

from __future__ import annotations

import aiohttp

from bot.services.meeting_changes import MeetingChangeFailed
from bot.web.edit_page import change_failed_in_words
from tests.web.markup import heading, link
from tests.web.staff_site import CSRF_TOKEN, StaffServer

BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


async def test_an_unknown_page_says_so_with_a_way_back(
    signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    for path in ("/tab/no-such-page", "/no-such-page"):
        answer = await signed_in.get(staff_site.url(path), headers=BROWSER)
        assert answer.status == 404
        text = await answer.text()
        assert heading("Page not found") in text
        assert link("/tab", "Go to the list of meetings") in text
        assert "404: Not Found" not in text


async def test_every_page_and_form_of_an_unknown_meeting_answers_the_same_404_page(
    signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    meeting = "/tab/meetings/IASS-ABCD2345"
    form = {"csrf_token": CSRF_TOKEN}
    answers = [
        await signed_in.get(staff_site.url(meeting)),
        await signed_in.get(staff_site.url(f"{meeting}/edit")),
        await signed_in.get(staff_site.url(f"{meeting}/liaison")),
        await signed_in.post(staff_site.url(f"{meeting}/edit"), data=form),
        await signed_in.post(staff_site.url(f"{meeting}/cancel"), data=form),
        await signed_in.post(staff_site.url(f"{meeting}/liaison"), data=form),
        await signed_in.post(
            staff_site.url(f"{meeting}/safeguarding"), data={**form, "hold": "on"}
        ),
        await signed_in.post(
            staff_site.url(f"{meeting}/recordings/some-recording"),
            data={**form, "outcome": "Deleted from the organiser's OneDrive"},
        ),
    ]

    for answer in answers:
        assert answer.status == 404, answer.url
        text = await answer.text()
        assert heading("Meeting not found") in text, answer.url
        assert "No meeting has that reference." in text
        assert link("/tab", "Back to meetings") in text


async def test_a_form_address_opened_in_the_browser_leads_back_to_its_page(
    signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    answer = await signed_in.get(
        staff_site.url("/tab/meetings/IASS-ABCD2345/cancel"), headers=BROWSER
    )
    assert answer.status == 405
    assert answer.headers["Allow"] == "POST"
    text = await answer.text()
    assert heading("This address is for a button") in text
    assert "Nothing was changed." in text
    assert link("/tab/meetings/IASS-ABCD2345", "Back to the meeting") in text


async def test_callers_that_are_not_browsers_keep_the_plain_answers(
    client: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    answer = await client.get(
        staff_site.url("/api/nothing"), headers={"Accept": "application/json"}
    )
    assert answer.status == 404
    assert "Page not found" not in await answer.text()


def test_a_change_teams_refused_is_told_without_the_sdks_class_names() -> None:
    failure = MeetingChangeFailed(
        "Teams did not accept the change (ODataError), so nothing was changed."
    )
    words = change_failed_in_words(failure)
    assert words.startswith("Teams did not accept the change, so nothing was changed. ")
    assert "ODataError" not in words
    assert "try again in a few minutes" in words


async def test_the_staff_pages_have_a_favicon(
    signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    text = await (await signed_in.get(staff_site.url("/tab"))).text()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in text
    icon = await signed_in.get(staff_site.url("/static/favicon.svg"))
    assert icon.status == 200
    assert (await icon.text()).startswith("<svg")
