"""The accessibility statement: anyone can read it at /accessibility, signed in or not, with the
service's own contact details for reporting a problem, and every page's footer links to it."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.config import Settings
from bot.web.app import create_app
from tests.web.markup import heading


async def test_the_statement_names_the_service_and_how_to_report_a_problem(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("IASS_SERVICE_NAME", "Fellside SENDIASS")
    monkeypatch.setenv("IASS_SERVICE_EMAIL", "help@fellside.example")
    monkeypatch.setenv("IASS_SERVICE_PHONE", "01234 567890")
    async with TestClient(TestServer(create_app(Settings(_env_file=None)))) as client:
        response = await client.get("/accessibility")
        assert response.status == 200
        text = await response.text()
    assert heading("Accessibility statement for the IASS meeting companion") in text
    assert "run by Fellside SENDIASS" in text
    assert '<a class="govuk-link" href="mailto:help@fellside.example">' in text
    assert "call 01234 567890" in text
    for section in (
        "Feedback and contact information",
        "Enforcement procedure",
        "Compliance status",
        "How we tested these pages",
        "Preparation of this accessibility statement",
    ):
        assert f">{section}</h" in text
    assert 'href="/accessibility">Accessibility statement</a>' in text, "the footer's link"


async def test_the_statement_says_exactly_which_pages_the_automated_check_covers() -> None:
    """The statement lists the pages and states the browser walk checks
    (tests/browser/test_accessibility.py, which also fails if a staff page is left out of it),
    names states it does not check, and claims no more."""
    async with TestClient(TestServer(create_app(Settings(_env_file=None)))) as client:
        text = await (await client.get("/accessibility")).text()
    tested = text[text.index(">How we tested these pages</h2>") :]
    tested = tested[: tested.index("<h2")]
    assert "Every staff page" not in text
    assert "or while a staff page is left out of the walk" in tested
    for walked in (
        "the list of meetings, with no meetings and with one",
        "scheduling a meeting: the empty form, the form with errors",
        "a meeting's page: just scheduled, after a change, once everyone has replied, with a "
        "recording made without consent, after staff recorded what was done with it, under a "
        "safeguarding hold, and cancelled",
        "changing a meeting: the form as the meeting stands, and with errors",
        "professionals to liaise with: no one named, with an error, and after saving",
        "the review queue: empty, with an email waiting",
        "legal requests: none logged, the form with errors, and one logged",
        "subject access: the empty form",
        "<li>statistics</li>",
        "a button's address opened on its own",
        "the sign-in page of the tab inside Microsoft Teams",
    ):
        assert walked in tested
    assert "Other states are not checked this way" in tested
