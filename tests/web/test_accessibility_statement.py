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
