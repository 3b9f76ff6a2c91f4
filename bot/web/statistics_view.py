"""The statistics page's sections, tables and bar charts, made from the protected table only.

A chart draws a bar for a month's published count and writes the word "suppressed" where the
table hides one: it is built from the same cells as the table, so it can never show more than
the table (or the CSV) does. Pure: the page's template turns each `Chart` into SVG."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from consent_store.disclosure import TOTAL_ROW, ProtectedTable, Shown
from consent_store.statistics_format import CSV_SUPPRESSED

SUPPRESSED = CSV_SUPPRESSED

CHART_WIDTH = 480
BAR_START = 100
BAR_SPACE = 290
ROW_HEIGHT = 32
BAR_HEIGHT = 20
TOP = 8


@dataclass(frozen=True)
class Measure:
    key: str
    words: str


@dataclass(frozen=True)
class Section:
    id: str
    heading: str
    measures: tuple[Measure, ...]


SECTIONS = (
    Section(
        "meetings",
        "Meetings and recording",
        (
            Measure("meetings", "Meetings held"),
            Measure("recordings_permitted", "Meetings where recording was permitted"),
            Measure("recordings_refused", "Meetings where recording was not permitted"),
        ),
    ),
    Section(
        "replies",
        "Consent replies",
        (
            Measure("replies_given", "Answers giving consent"),
            Measure("replies_refused", "Answers refusing consent"),
            Measure("replies_withdrawn", "Answers withdrawing consent"),
        ),
    ),
    Section(
        "liaison",
        "Permission to liaise",
        (
            Measure("liaison_given", "Permission to liaise given"),
            Measure("liaison_refused", "Permission to liaise refused"),
            Measure("liaison_withdrawn", "Permission to liaise withdrawn"),
        ),
    ),
    Section(
        "in-and-after",
        "In and after meetings",
        (
            Measure("documents_refused", "Documents refused in meetings"),
            Measure("backstop_alerts", "Recordings or transcripts found without consent"),
        ),
    ),
    Section(
        "legal",
        "Legal requests for information",
        (
            Measure("legal_requests_logged", "Legal requests logged"),
            Measure("legal_requests_refused", "Refused by the service manager"),
            Measure("legal_requests_permission_asked", "Service user asked for permission"),
            Measure("legal_requests_agreed", "Service user agreed"),
            Measure("legal_requests_declined", "Service user refused"),
            Measure("legal_extracts_sent", "Extracts sent to the officer"),
        ),
    ),
)


@dataclass(frozen=True)
class Bar:
    """One month in a chart: its published count (None when suppressed), where its row sits
    and how long its bar is (0 for a suppressed month or a count of 0)."""

    month: str
    month_words: str
    shown: int | None
    y: int
    length: float

    @property
    def text(self) -> str:
        return SUPPRESSED if self.shown is None else str(self.shown)

    @property
    def text_x(self) -> float:
        return BAR_START + self.length + 6


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str
    bars: tuple[Bar, ...]

    @property
    def height(self) -> int:
        return TOP * 2 + ROW_HEIGHT * max(len(self.bars), 1)


@dataclass(frozen=True)
class Row:
    """A row of a section's table: a month (or the total) and its cells as shown."""

    label: str
    month: str | None
    cells: tuple[str, ...]


@dataclass(frozen=True)
class SectionView:
    section: Section
    charts: tuple[Chart, ...]
    rows: tuple[Row, ...]

    @property
    def caption(self) -> str:
        return caption(self.section)


def caption(section: Section) -> str:
    """The caption of the section's table, which its charts' descriptions point to."""
    return f"{section.heading}, by month"


def month_words(month: str, pattern: str = "%B %Y") -> str:
    """A `YYYY-MM` month label in words: "November 2026" (or `pattern`)."""
    return datetime.strptime(f"{month}-01", "%Y-%m-%d").strftime(pattern)


def cell_text(table: ProtectedTable, row: str, measure: str) -> str:
    cell = table.cell(row, measure)
    return str(cell.value) if isinstance(cell, Shown) else SUPPRESSED


def chart(table: ProtectedTable, measure: Measure, table_caption: str) -> Chart:
    """A horizontal bar chart of the measure's months; bars scale to the largest published
    month."""
    shown = [
        cell.value if isinstance(cell := table.cell(month, measure.key), Shown) else None
        for month in table.rows
    ]
    largest = max((value for value in shown if value is not None), default=0)
    bars = tuple(
        Bar(
            month=month,
            month_words=month_words(month, "%b %Y"),
            shown=value,
            y=TOP + ROW_HEIGHT * index,
            length=BAR_SPACE * value / largest if value and largest else 0,
        )
        for index, (month, value) in enumerate(zip(table.rows, shown, strict=True))
    )
    figures = (
        "; ".join(f"{month_words(bar.month)}: {bar.text}" for bar in bars)
        or "no months counted yet"
    )
    return Chart(
        id=f"chart-{measure.key.replace('_', '-')}",
        title=f"{measure.words}, by month",
        description=(f"Bar chart. {figures}. The same figures are in the table “{table_caption}”."),
        bars=bars,
    )


def sections(table: ProtectedTable) -> tuple[SectionView, ...]:
    """Every section with its charts and its part of the table: a row per month, then the
    total."""
    views = []
    for section in SECTIONS:
        rows = tuple(
            Row(
                label="Total" if row == TOTAL_ROW else month_words(row),
                month=None if row == TOTAL_ROW else row,
                cells=tuple(cell_text(table, row, m.key) for m in section.measures),
            )
            for row in table.published_rows
        )
        views.append(
            SectionView(
                section=section,
                charts=tuple(chart(table, m, caption(section)) for m in section.measures),
                rows=rows,
            )
        )
    return tuple(views)
