"""The service manager's statistics page: the same protected figures as `iass-bot stats`, as
tables and charts that show a suppressed cell as suppressed, never its number, and a CSV download
whose every cell matches the table."""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser

import aiohttp
import pytest
from yarl import URL

from consent_store.statistics import MEASURES
from consent_store.unit_of_work import Store
from tests.builders import MEETING_START, a_meeting, schedule
from tests.web.staff_site import StaffServer
from tests.web.test_manager_subject_access import MANAGER_SESSION

MONTHS = {"2026-10": 12, "2026-11": 15, "2026-12": 3}


async def meetings_by_month(store: Store) -> None:
    """12 meetings in October, 15 in November, 3 in December (all UTC months)."""
    for month, number in MONTHS.items():
        start = MEETING_START.replace(month=int(month[-2:]), day=10)
        for _ in range(number):
            await schedule(store, a_meeting(starts_at=start))


class StatisticsPage(HTMLParser):
    """What the page shows: each table cell by (row, measure), the row a month's `<time>` or
    "Total"; each chart's words per month, and which months it draws a bar for."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[tuple[str, str], str] = {}
        self.charts: dict[str, dict[str, str]] = {}
        self.bars: dict[str, set[str]] = {}
        self._measures: list[str] = []
        self._row: str | None = None
        self._column = -1
        self._chart: str | None = None
        self._month: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "thead":
            self._measures = []
        elif tag == "th" and "data-measure" in found:
            self._measures.append(found["data-measure"])
        elif tag == "tr":
            self._row, self._column = None, -1
        elif tag == "th" and found.get("scope") == "row":
            self._row = "Total"
        elif tag == "time" and self._row is not None:
            self._row = found["datetime"]
        elif tag == "td":
            self._column += 1
            self._text = ""
        elif tag == "svg":
            self._chart = found["id"]
            self.charts[self._chart] = {}
            self.bars[self._chart] = set()
        elif tag == "g" and self._chart:
            self._month = found["data-month"]
        elif tag == "rect" and self._chart and self._month:
            self.bars[self._chart].add(self._month)
        elif tag == "text" and self._month:
            self._text = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._row is not None:
            self.cells[self._row, self._measures[self._column]] = self._text.strip()
        elif tag == "text" and self._chart and self._month:
            self.charts[self._chart].setdefault(self._month, "")
            self.charts[self._chart][self._month] += " " + self._text.strip()
        elif tag == "g":
            self._month = None
        elif tag == "svg":
            self._chart = None

    def handle_data(self, data: str) -> None:
        self._text += data


def read_page(text: str) -> StatisticsPage:
    page = StatisticsPage()
    page.feed(text)
    return page


@pytest.fixture
async def manager(client: aiohttp.ClientSession, staff_site: StaffServer) -> StaffServer:
    name, value = await staff_site.session_cookie(MANAGER_SESSION)
    client.cookie_jar.update_cookies({name: value}, response_url=URL(staff_site.base_url))
    return staff_site


async def test_the_csv_download_matches_the_table_cell_for_cell(
    store: Store, client: aiohttp.ClientSession, manager: StaffServer
) -> None:
    await meetings_by_month(store)
    response = await client.get(manager.url("/tab/statistics"))
    assert response.status == 200
    shown = read_page(await response.text())

    download = await client.get(manager.url("/tab/statistics.csv"))
    assert download.status == 200
    assert download.content_type == "text/csv"
    assert download.headers["Content-Disposition"].startswith(
        'attachment; filename="iass-statistics-'
    )
    header, *rows = list(csv.reader(io.StringIO(await download.text())))
    assert header == ["month", *MEASURES]
    assert [row[0] for row in rows] == [*MONTHS, "Total"]
    from_csv = {(row[0], measure): row[1 + i] for row in rows for i, measure in enumerate(MEASURES)}
    assert from_csv == shown.cells, "every measure of every month, and the totals"

    assert shown.cells["2026-12", "meetings"] == "suppressed", "3 meetings: fewer than 10"
    assert shown.cells["2026-10", "meetings"] == "suppressed", "else the total gives it away"
    assert shown.cells["2026-11", "meetings"] == "15"
    assert shown.cells["Total", "meetings"] == "30"


async def test_every_chart_draws_only_what_its_table_shows(
    store: Store, client: aiohttp.ClientSession, manager: StaffServer
) -> None:
    await meetings_by_month(store)
    shown = read_page(await (await client.get(manager.url("/tab/statistics"))).text())
    assert len(shown.charts) == len(MEASURES)
    for measure in MEASURES:
        chart = f"chart-{measure.replace('_', '-')}"
        assert set(shown.charts[chart]) == set(MONTHS)
        for month, words in shown.charts[chart].items():
            cell = shown.cells[month, measure]
            assert words.split()[-1] == cell, (measure, month)
            assert (month in shown.bars[chart]) == (cell not in ("0", "suppressed"))
    assert shown.charts["chart-meetings"]["2026-12"].split() == ["Dec", "2026", "suppressed"]


async def test_an_empty_store_says_nothing_is_counted_yet(
    client: aiohttp.ClientSession, manager: StaffServer
) -> None:
    text = await (await client.get(manager.url("/tab/statistics"))).text()
    assert "Nothing has been counted yet" in text
    assert read_page(text).cells["Total", "meetings"] == "0"
    assert "What is not counted" in text
