"""Disclosure control: small numbers hidden, others rounded, no lone hidden cell in a column."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consent_store.disclosure import (
    TOTAL_ROW,
    Cell,
    ProtectedTable,
    Reason,
    Shown,
    Suppressed,
    protect,
)

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
PRIMARY = Suppressed(Reason.PRIMARY)
SECONDARY = Suppressed(Reason.SECONDARY)

RawTable = tuple[tuple[str, ...], tuple[str, ...], dict[tuple[str, str], int]]


def one_column(counts: Sequence[int]) -> ProtectedTable:
    rows = MONTHS[: len(counts)]
    return protect(
        rows, ["meetings"], {(row, "meetings"): n for row, n in zip(rows, counts, strict=True)}
    )


def published(table: ProtectedTable, measure: str) -> list[Cell]:
    return [table.cell(row, measure) for row in table.published_rows]


@st.composite
def raw_tables(draw: st.DrawFn) -> RawTable:
    rows = MONTHS[: draw(st.integers(0, 14))]
    measures = MEASURES[: draw(st.integers(1, 7))]
    count = st.one_of(st.integers(0, 9), st.integers(0, 60))
    return rows, measures, {(row, measure): draw(count) for row in rows for measure in measures}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (0, Shown(0)),
        (1, PRIMARY),
        (9, PRIMARY),
        (10, Shown(10)),
        (12, Shown(10)),
        (13, Shown(15)),
        (17, Shown(15)),
        (18, Shown(20)),
        (60, Shown(60)),
        (1234, Shown(1235)),
    ],
)
def test_a_single_count_is_hidden_or_rounded_and_its_total_matches(
    raw: int, expected: Cell
) -> None:
    table = one_column([raw])

    assert published(table, "meetings") == [expected, expected]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param([], [Shown(0)], id="no months: the total is 0"),
        pytest.param([12, 13], [Shown(10), Shown(15), Shown(25)], id="nothing small"),
        pytest.param(
            [12, 12], [Shown(10), Shown(10), Shown(25)], id="total rounded from raw counts"
        ),
        pytest.param([0, 20, 0], [Shown(0), Shown(20), Shown(0), Shown(20)], id="zeros shown"),
        pytest.param(
            [3, 4, 20],
            [PRIMARY, PRIMARY, Shown(20), Shown(25)],
            id="two small cells cover each other",
        ),
        pytest.param(
            [1, 2, 3, 40],
            [PRIMARY, PRIMARY, PRIMARY, Shown(40), Shown(45)],
            id="three small cells",
        ),
        pytest.param(
            [3, 20, 30],
            [PRIMARY, SECONDARY, Shown(30), Shown(55)],
            id="lone small cell: smallest other month hidden too",
        ),
        pytest.param(
            [20, 5, 20],
            [SECONDARY, PRIMARY, Shown(20), Shown(45)],
            id="tie: earliest month hidden",
        ),
        pytest.param(
            [30, 12, 7, 11],
            [Shown(30), Shown(10), PRIMARY, SECONDARY, Shown(60)],
            id="chosen by raw count, not rounded value",
        ),
        pytest.param(
            [0, 4, 20],
            [SECONDARY, PRIMARY, Shown(20), Shown(25)],
            id="a zero is hidden as the partner",
        ),
        pytest.param(
            [6, 40],
            [PRIMARY, SECONDARY, Shown(45)],
            id="the only other month is hidden",
        ),
        pytest.param([5], [PRIMARY, PRIMARY], id="one month: the total is hidden with it"),
        pytest.param(
            [3, 0, 4],
            [PRIMARY, Shown(0), PRIMARY, PRIMARY],
            id="small total hidden with its months",
        ),
    ],
)
def test_column_examples(raw: list[int], expected: list[Cell]) -> None:
    assert published(one_column(raw), "meetings") == expected


def test_a_hidden_cell_in_one_column_does_not_hide_cells_in_another() -> None:
    rows = MONTHS[:3]
    counts = {(row, "meetings"): n for row, n in zip(rows, [3, 20, 30], strict=True)}
    counts |= {(row, "replies_given"): n for row, n in zip(rows, [20, 20, 30], strict=True)}

    table = protect(rows, ["meetings", "replies_given"], counts)

    assert published(table, "meetings") == [PRIMARY, SECONDARY, Shown(30), Shown(55)]
    assert published(table, "replies_given") == [Shown(20), Shown(20), Shown(30), Shown(70)]


def test_the_table_keeps_row_and_measure_order_and_ends_with_total() -> None:
    rows = ["2026-10", "2026-09"]
    measures = ["replies_given", "meetings"]
    counts = {(row, measure): 10 for row in rows for measure in measures}

    table = protect(rows, measures, counts)

    assert table.published_rows == ("2026-10", "2026-09", TOTAL_ROW)
    assert table.measures == ("replies_given", "meetings")
    assert table.cell(TOTAL_ROW, "meetings") == Shown(20)


@pytest.mark.parametrize(
    ("row", "measure"), [("2026-08", "meetings"), ("2026-09", "replies_refused")]
)
def test_looking_up_an_unknown_cell_raises_key_error(row: str, measure: str) -> None:
    table = one_column([10])

    with pytest.raises(KeyError):
        table.cell(row, measure)


@pytest.mark.parametrize(
    ("rows", "measures", "counts", "message"),
    [
        pytest.param(
            ["2026-09", "2026-09"],
            ["meetings"],
            {("2026-09", "meetings"): 1},
            "row labels must be unique",
            id="repeated row",
        ),
        pytest.param(
            [TOTAL_ROW],
            ["meetings"],
            {(TOTAL_ROW, "meetings"): 1},
            "reserved",
            id="row called Total",
        ),
        pytest.param(
            ["2026-09"],
            ["meetings", "meetings"],
            {("2026-09", "meetings"): 1},
            "measure names must be unique",
            id="repeated measure",
        ),
        pytest.param(
            ["2026-09", "2026-10"],
            ["meetings"],
            {("2026-09", "meetings"): 1},
            "no count for",
            id="missing count",
        ),
        pytest.param(
            ["2026-09"],
            ["meetings"],
            {("2026-09", "meetings"): 1, ("2026-09", "replies_given"): 1},
            "unknown rows or measures",
            id="extra count",
        ),
        pytest.param(
            ["2026-09"],
            ["meetings"],
            {("2026-09", "meetings"): -1},
            "negative",
            id="negative count",
        ),
    ],
)
def test_bad_input_is_refused(
    rows: list[str], measures: list[str], counts: dict[tuple[str, str], int], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        protect(rows, measures, counts)


@given(raw_tables())
def test_no_shown_number_is_between_1_and_9(raw: RawTable) -> None:
    table = protect(*raw)

    for measure in table.measures:
        for cell in published(table, measure):
            assert not (isinstance(cell, Shown) and 1 <= cell.value <= 9)


@given(raw_tables())
def test_every_shown_number_is_a_multiple_of_5(raw: RawTable) -> None:
    table = protect(*raw)

    for measure in table.measures:
        for cell in published(table, measure):
            assert not isinstance(cell, Shown) or cell.value % 5 == 0


@given(raw_tables())
def test_no_column_has_a_lone_hidden_cell(raw: RawTable) -> None:
    table = protect(*raw)

    for measure in table.measures:
        hidden = sum(isinstance(cell, Suppressed) for cell in published(table, measure))
        assert hidden == 0 or hidden >= 2


@given(raw_tables())
def test_shown_numbers_are_within_2_of_the_raw_counts(raw: RawTable) -> None:
    rows, measures, counts = raw
    table = protect(*raw)

    for measure in measures:
        column = [counts[row, measure] for row in rows]
        for row, count in [*zip(rows, column, strict=True), (TOTAL_ROW, sum(column))]:
            cell = table.cell(row, measure)
            assert not isinstance(cell, Shown) or abs(cell.value - count) <= 2


@given(raw_tables())
def test_small_counts_are_hidden_and_at_most_one_more_cell_per_column(raw: RawTable) -> None:
    rows, measures, counts = raw
    table = protect(*raw)

    for measure in measures:
        for row in rows:
            if 1 <= counts[row, measure] <= 9:
                assert table.cell(row, measure) == PRIMARY
        cells = published(table, measure)
        assert cells.count(SECONDARY) <= 1
        if SECONDARY in cells:
            assert cells.count(PRIMARY) == 1
            assert cells[-1] != SECONDARY


@given(raw_tables())
def test_protect_is_deterministic_whatever_the_order_of_the_counts(raw: RawTable) -> None:
    rows, measures, counts = raw
    reordered = dict(reversed(counts.items()))

    assert protect(rows, measures, counts) == protect(rows, measures, reordered)
