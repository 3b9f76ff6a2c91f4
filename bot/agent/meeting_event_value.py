"""Meeting start and end event values in either casing. Microsoft's documentation shows
PascalCase keys (`Id`, `JoinUrl`, `Title`, `MeetingType`, `StartTime`) and, in its newer example,
camelCase ones; the Agents SDK's models read PascalCase only."""

from __future__ import annotations

from typing import Any

MEETING_START = "application/vnd.microsoft.meetingStart"
MEETING_END = "application/vnd.microsoft.meetingEnd"
MEETING_EVENTS = frozenset({MEETING_START, MEETING_END})


def pascal_case_keys(value: Any) -> Any:
    """The value with each top-level key's first letter upper-cased; where both spellings of a
    key are present, the PascalCase one wins. Anything but a dict is returned as it is."""
    if not isinstance(value, dict):
        return value
    converted: dict[str, Any] = {}
    for key, item in value.items():
        if isinstance(key, str) and key:
            converted.setdefault(key[:1].upper() + key[1:], item)
    for key, item in value.items():
        if isinstance(key, str) and key[:1].isupper():
            converted[key] = item
    return converted
