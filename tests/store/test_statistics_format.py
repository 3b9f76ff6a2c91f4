"""Protected statistics as an aligned terminal table and as CSV a spreadsheet can read."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from consent_store.disclosure import TOTAL_ROW, ProtectedTable, Shown, protect
from consent_store.statistics_format import FOOTNOTE, format_csv, format_text

MONTHS = tuple(f"{2026 + (8 + i) // 12}-{(8 + i) % 12 + 1:02d}" for i in range(14))
MEASURES = (
    "meetings",
    "recordings_permitted",
    "recordings_refused",
    "documents_refused",
    "replies_given",
    "replies_refused",
    "replies_withdrawn",
)


def example_table() -> ProtectedTable:
    rows = ["2026-09", "2026-10"]
    counts = {
        ("2026-09", "meetings"): 12,
        ("2026-10", "meetings"): 3,
        ("2026-09", "replies_refused"): 0,
        ("2026-10", "replies_refused"): 25,
    }
    return protect(rows, ["meetings", "replies_refused"], counts)


@st.composite
def tables(draw: st.DrawFn) -> ProtectedTable:
    rows = MONTHS[: draw(st.integers(0, 14))]
    measures = MEASURES[: draw(st.integers(1, 7))]
    count = st.one_of(st.integers(0, 9), st.integers(0, 60))
    return protect(
        rows, measures, {(row, measure): draw(count) for row in rows for measure in measures}
    )


def expected_texts(table: ProtectedTable, row: str, hidden: str) -> list[str]:
    cells = [table.cell(row, measure) for measure in table.measures]
    return [str(cell.value) if isinstance(cell, Shown) else hidden for cell in cells]


def test_text_table_example() -> None:
    assert format_text(example_table()) == (
        "month    meetings  replies_refused\n"
        "2026-09         *                0\n"
        "2026-10         *               25\n"
        "Total          15               25\n"
        "\n"
        "* fewer than 10, or hidden so that a hidden number cannot be worked out; "
        "other numbers rounded to the nearest 5\n"
    )


def test_csv_example() -> None:
    assert format_csv(example_table()) == (
        "month,meetings,replies_refused\r\n"
        "2026-09,suppressed,0\r\n"
        "2026-10,suppressed,25\r\n"
        "Total,15,25\r\n"
    )


@given(tables())
def test_text_table_shows_every_cell_with_a_star_for_hidden_ones(table: ProtectedTable) -> None:
    lines = format_text(table).splitlines()
    header, body = lines[0], lines[1 : len(table.published_rows) + 1]

    assert header.split() == ["month", *table.measures]
    assert [line.split() for line in body] == [
        [row, *expected_texts(table, row, "*")] for row in table.published_rows
    ]
    assert body[-1].startswith(TOTAL_ROW)


@given(tables())
def test_text_table_columns_line_up(table: ProtectedTable) -> None:
    lines = format_text(table).splitlines()[: len(table.published_rows) + 1]
    header = lines[0]
    column_ends = [header.index(measure) + len(measure) for measure in table.measures]

    assert len({len(line) for line in lines}) == 1
    for line in lines:
        assert all(end == len(line) or line[end] == " " for end in column_ends)
        assert all(line[end - 1] != " " for end in column_ends)


@given(tables())
def test_text_table_ends_with_the_footnote(table: ProtectedTable) -> None:
    lines = format_text(table).splitlines()

    assert lines[-2:] == ["", FOOTNOTE]


@given(tables())
def test_csv_reads_back_to_the_shown_values(table: ProtectedTable) -> None:
    records = list(csv.reader(io.StringIO(format_csv(table), newline="")))

    assert records[0] == ["month", *table.measures]
    assert records[1:] == [
        [row, *expected_texts(table, row, "suppressed")] for row in table.published_rows
    ]
