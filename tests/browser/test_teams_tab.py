"""The staff tab's Teams sign-in in Chromium: `/tab?inTeams=1`'s own script gets a token from
`getAuthToken()`, posts it to the bot and opens the staff home. Framed by Teams (a page served as
https://teams.microsoft.com), the page loads under its CSP and signs in.

The real Teams JavaScript SDK only answers inside Teams, so the browser is handed a stand-in for
it (a `microsoftTeams` whose `getAuthToken()` returns a sandbox SSO token); the bot's own page,
script, CSP and session are real. That the real SDK is served from our static files is checked
in tests/web/test_teams_sso.py. Chromium keeps no cookie from an http://localhost frame under an
https top-level page (not even `SameSite=None; Secure; Partitioned`), so the session in the
frame is only followed as far as the bot's answer; the staff home is reached in a window of its
own, which uses the same `SameSite=None; Secure` cookie."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator

import aiohttp
import pytest
from playwright.async_api import Browser, Page, Route, expect

from consent_store.unit_of_work import Store
from sandbox.seed import COORDINATOR, GUEST_PARENT
from tests.web.staff_site import RunningSandbox, running_sandbox, serving_staff_pages

TEAMS = "https://teams.microsoft.com/v2/"
SDK = "**/static/teams-js/MicrosoftTeams.min.js"


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    """A page whose framed tab (on localhost) may be reached from Teams' public origin, as
    Chromium's local network access checks allow once the person grants it."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    await context.grant_permissions(["local-network-access"], origin="https://teams.microsoft.com")
    opened = await context.new_page()
    yield opened
    await context.close()


@pytest.fixture(scope="module")
async def sandbox() -> AsyncIterator[RunningSandbox]:
    async with running_sandbox() as running:
        yield running


async def sso_token(sandbox: RunningSandbox, who: str) -> str:
    async with aiohttp.ClientSession() as client:
        answer = await client.post(
            f"{sandbox.origin}/sandbox/api/teams-sso-token", json={"user": who}
        )
        token: str = (await answer.json())["token"]
        return token


async def open_in_teams(page: Page, tab_url: str, token: str) -> None:
    await stand_in_for_the_sdk(page, token)

    async def teams(route: Route) -> None:
        await route.fulfill(
            body=f'<!doctype html><title>Teams</title><iframe name="tab" src="{tab_url}"'
            ' width="1000" height="700"></iframe>',
            content_type="text/html",
        )

    await page.route(TEAMS, teams)
    await page.goto(TEAMS)


async def stand_in_for_the_sdk(page: Page, token: str) -> None:
    stand_in = (
        "window.microsoftTeams = {app: {initialize: () => Promise.resolve()},"
        f" authentication: {{getAuthToken: () => Promise.resolve({json.dumps(token)})}}}};"
    )

    async def sdk(route: Route) -> None:
        await route.fulfill(body=stand_in, content_type="text/javascript")

    await page.route(SDK, sdk)


async def test_the_tab_signs_staff_in_and_opens_their_meetings(
    store: Store, sandbox: RunningSandbox, page: Page
) -> None:
    async with serving_staff_pages(store, sandbox.origin) as server:
        await stand_in_for_the_sdk(page, await sso_token(sandbox, COORDINATOR.object_id))
        await page.goto(server.url("/tab?inTeams=1"))
        await expect(page).to_have_url(server.url("/tab"))
        await expect(page.get_by_text(f"Signed in as {COORDINATOR.display_name}")).to_be_visible()
        await expect(page.get_by_role("heading", level=1)).to_have_text("Meetings")
        await page.get_by_role("navigation").get_by_role("link", name="Review queue").click()
        await expect(page.get_by_role("heading", level=1)).to_have_text("Review queue")


async def test_framed_by_teams_the_tab_loads_its_scripts_and_signs_in(
    store: Store, sandbox: RunningSandbox, page: Page
) -> None:
    async with serving_staff_pages(store, sandbox.origin) as server:
        token = await sso_token(sandbox, COORDINATOR.object_id)
        async with page.expect_response(server.url("/auth/teams-sso")) as answer:
            await open_in_teams(page, server.url("/tab?inTeams=1"), token)
        signed_in = await answer.value
        assert signed_in.status == 200
        cookie = await signed_in.header_value("set-cookie")
        assert cookie is not None
        assert "SameSite=None" in cookie
        assert "Secure" in cookie


async def test_a_guest_opening_the_tab_is_told_it_is_not_for_them(
    store: Store, sandbox: RunningSandbox, page: Page
) -> None:
    async with serving_staff_pages(store, sandbox.origin) as server:
        token = await sso_token(sandbox, GUEST_PARENT.object_id)
        await open_in_teams(page, server.url("/tab?inTeams=1"), token)
        tab = page.frame_locator("iframe[name=tab]")
        await expect(tab.get_by_role("status")).to_have_text(
            re.compile("These pages are only for staff of")
        )
        await expect(tab.get_by_text("Signed in as")).to_have_count(0)
