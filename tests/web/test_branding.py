"""The council's branding on the staff pages: its colour (IASS_SERVICE_BRAND_COLOUR) becomes GOV.UK
Frontend's brand colour in /brand.css, which every page links; a colour white text would be hard
to read on is refused when the settings are read."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import ValidationError

from bot.config import ServiceProfile, Settings
from bot.web.app import create_app


async def test_the_brand_colour_is_served_for_every_page_to_use(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("IASS_SERVICE_BRAND_COLOUR", "#4B0F6E")
    async with TestClient(TestServer(create_app(Settings(_env_file=None)))) as client:
        response = await client.get("/brand.css")
        assert response.status == 200
        assert response.content_type == "text/css"
        assert await response.text() == ":root { --govuk-brand-colour: #4b0f6e; }\n"


@pytest.mark.parametrize(
    ("colour", "why"),
    [
        ("#ffbf47", "too light"),
        ("#00703", "#rrggbb"),
        ("teal", "#rrggbb"),
        ("#1d70b8;}", "#rrggbb"),
    ],
)
def test_a_colour_that_is_unreadable_or_not_a_colour_is_refused(colour: str, why: str) -> None:
    with pytest.raises(ValidationError, match=why):
        ServiceProfile(_env_file=None, brand_colour=colour)


def test_the_default_colour_is_readable_under_white_text() -> None:
    assert ServiceProfile(_env_file=None).brand_colour == "#0b4f4c"
