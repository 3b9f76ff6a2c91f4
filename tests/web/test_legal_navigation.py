"""The staff pages' navigation leads to the legal requests pages: for the service manager beside
subject access and statistics, and for other staff too, who log the requests (without the
manager's pages)."""

from __future__ import annotations

import re
from dataclasses import replace

import aiohttp
from yarl import URL

from tests.web.staff_site import STAFF_SESSION, StaffServer


def navigation(page: str) -> list[tuple[str, str]]:
    (nav,) = re.findall(r'<nav aria-label="Staff pages".*?</nav>', page, re.DOTALL)
    return re.findall(
        r'<a class="govuk-service-navigation__link" href="([^"]+)"[^>]*>([^<]+)</a>', nav
    )


async def test_managers_and_staff_find_the_legal_requests(
    signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    staff_nav = navigation(await (await signed_in.get(staff_site.url("/tab"))).text())
    assert staff_nav == [
        ("/tab", "Meetings"),
        ("/tab/review", "Review queue"),
        ("/tab/legal", "Legal requests"),
    ]
    name, value = await staff_site.session_cookie(replace(STAFF_SESSION, is_manager=True))
    signed_in.cookie_jar.update_cookies({name: value}, response_url=URL(staff_site.base_url))
    legal = await (await signed_in.get(staff_site.url("/tab/legal"))).text()
    assert navigation(legal)[2:] == [
        ("/tab/legal", "Legal requests"),
        ("/tab/subject-access", "Subject access"),
        ("/tab/statistics", "Statistics"),
    ]
    assert 'href="/tab/legal" aria-current="page"' in legal
