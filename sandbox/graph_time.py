"""Date-times as Microsoft Graph writes and reads them."""

from __future__ import annotations

from datetime import UTC, datetime


def graph_datetime(value: datetime) -> str:
    """`2026-11-21T14:30:00.0000000Z`: UTC with seven fractional digits, as Teams resources."""
    utc = value.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond:06d}0Z"


def graph_datetime_seconds(value: datetime) -> str:
    """`2026-11-21T14:30:00Z`: UTC to the second, as Outlook resources."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_graph_datetime(text: str) -> datetime:
    """Read an ISO 8601 date-time; one without an offset is taken as UTC.

    Raises `ValueError` when the text is not a date-time.
    """
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
