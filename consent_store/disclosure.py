"""Statistical disclosure control for a published table of monthly counts.

The confidentiality policy allows statistics about service performance only if nobody can be
identified from them. Counts of 1 to 9 are hidden (primary suppression), other counts are
rounded to the nearest 5, and wherever a column would have a single hidden cell, which its
Total and the other cells would give away, one more cell is hidden (secondary suppression).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TypeAlias

TOTAL_ROW = "Total"
SMALLEST_SHOWN_COUNT = 10
ROUNDING_BASE = 5


class Reason(Enum):
    """Why a cell is hidden."""

    PRIMARY = "primary"
    """The count itself is between 1 and 9."""
    SECONDARY = "secondary"
    """Hidden so that another hidden count cannot be worked out from the column Total."""


@dataclass(frozen=True)
class Shown:
    """A published number: 0, or a count of 10 or more rounded to the nearest 5."""

    value: int


@dataclass(frozen=True)
class Suppressed:
    """A hidden cell and why it is hidden."""

    reason: Reason


Cell: TypeAlias = Shown | Suppressed


@dataclass(frozen=True)
class ProtectedTable:
    """A table safe to publish: month rows in order, then a Total row, one column per measure.

    `columns[m]` holds measure `m`'s cells: one per month in row order, then the Total.
    Build one with `protect`; read it with `cell`.
    """

    rows: tuple[str, ...]
    measures: tuple[str, ...]
    columns: tuple[tuple[Cell, ...], ...]

    @property
    def published_rows(self) -> tuple[str, ...]:
        """The row labels as published: the months, then `TOTAL_ROW`."""
        return (*self.rows, TOTAL_ROW)

    def cell(self, row: str, measure: str) -> Cell:
        """The published cell for a month (or `TOTAL_ROW`) and a measure.

        Raises KeyError if the table has no such row or measure.
        """
        published_rows = self.published_rows
        if row not in published_rows or measure not in self.measures:
            raise KeyError((row, measure))
        return self.columns[self.measures.index(measure)][published_rows.index(row)]


def protect(
    rows: Sequence[str], measures: Sequence[str], counts: Mapping[tuple[str, str], int]
) -> ProtectedTable:
    """Protect raw counts, keyed by (row, measure), for publication.

    Every (row, measure) pair needs exactly one non-negative count; Totals are computed here
    from the raw counts. Raises ValueError for repeated or reserved labels, missing or extra
    counts, and negative counts.
    """
    _check(rows, measures, counts)
    columns = tuple(_protect_column([counts[row, measure] for row in rows]) for measure in measures)
    return ProtectedTable(rows=tuple(rows), measures=tuple(measures), columns=columns)


def _check(
    rows: Sequence[str], measures: Sequence[str], counts: Mapping[tuple[str, str], int]
) -> None:
    if len(set(rows)) != len(rows):
        raise ValueError("row labels must be unique")
    if TOTAL_ROW in rows:
        raise ValueError(f"{TOTAL_ROW!r} is reserved for the totals row")
    if len(set(measures)) != len(measures):
        raise ValueError("measure names must be unique")
    expected = {(row, measure) for row in rows for measure in measures}
    if missing := expected - counts.keys():
        raise ValueError(f"no count for {sorted(missing)}")
    if extra := counts.keys() - expected:
        raise ValueError(f"counts for unknown rows or measures: {sorted(extra)}")
    if negative := sorted(key for key, count in counts.items() if count < 0):
        raise ValueError(f"negative counts for {negative}")


def _protect_column(raw: Sequence[int]) -> tuple[Cell, ...]:
    """One column's cells, months then Total, with no column holding a lone hidden cell.

    A lone hidden cell is always a month: a hidden Total (1 to 9) is a sum that includes a
    hidden month (1 to 9). So the Total is at least 10 and some other month is non-zero and
    shown: hiding the smallest shown month (earliest on a tie) settles the column in one step.
    """
    cells = [_primary(count) for count in raw]
    cells.append(_primary(sum(raw)))
    if sum(isinstance(cell, Suppressed) for cell in cells) == 1:
        shown_months = (i for i, cell in enumerate(cells[:-1]) if isinstance(cell, Shown))
        partner = min(shown_months, key=lambda i: (raw[i], i))
        cells[partner] = Suppressed(Reason.SECONDARY)
    return tuple(cells)


def _primary(count: int) -> Cell:
    if count == 0:
        return Shown(0)
    if count < SMALLEST_SHOWN_COUNT:
        return Suppressed(Reason.PRIMARY)
    return Shown((count + ROUNDING_BASE // 2) // ROUNDING_BASE * ROUNDING_BASE)
