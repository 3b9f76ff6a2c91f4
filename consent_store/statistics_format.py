"""Render a protected statistics table as aligned text for a terminal, or as CSV."""

from __future__ import annotations

import csv
import io

from consent_store.disclosure import ProtectedTable, Shown

ROW_HEADING = "month"
TEXT_SUPPRESSED = "*"
CSV_SUPPRESSED = "suppressed"
FOOTNOTE = (
    "* fewer than 10, or hidden so that a hidden number cannot be worked out; "
    "other numbers rounded to the nearest 5"
)
_COLUMN_GAP = "  "


def format_text(table: ProtectedTable) -> str:
    """An aligned text table: a header of measure names, the months, a Total row, a footnote.

    Row labels are left-aligned and numbers right-aligned; hidden cells show as `*`.
    """
    grid = [[ROW_HEADING, *table.measures]] + [
        [row, *(_cell_text(table, row, measure, TEXT_SUPPRESSED) for measure in table.measures)]
        for row in table.published_rows
    ]
    widths = [max(len(line[i]) for line in grid) for i in range(len(grid[0]))]
    lines = [
        _COLUMN_GAP.join(
            [line[0].ljust(widths[0])]
            + [text.rjust(width) for text, width in zip(line[1:], widths[1:], strict=True)]
        ).rstrip()
        for line in grid
    ]
    return "\n".join([*lines, "", FOOTNOTE]) + "\n"


def format_csv(table: ProtectedTable) -> str:
    """CSV with a `month,<measures...>` header, a row per month, then a Total row.

    Hidden cells hold the word `suppressed` so a spreadsheet shows why they are not numbers.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([ROW_HEADING, *table.measures])
    for row in table.published_rows:
        writer.writerow(
            [row, *(_cell_text(table, row, measure, CSV_SUPPRESSED) for measure in table.measures)]
        )
    return buffer.getvalue()


def _cell_text(table: ProtectedTable, row: str, measure: str, hidden: str) -> str:
    cell = table.cell(row, measure)
    return str(cell.value) if isinstance(cell, Shown) else hidden
