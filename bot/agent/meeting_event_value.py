"""Teams' meeting events as Microsoft documents them, read in every documented spelling.

Names: the meeting-apps page's newer examples write the event name with a leading space
(`" application/vnd.microsoft.meetingStart"`); names are compared trimmed and
case-insensitively and rewritten to the spelling the Agents SDK's routes match exactly.

Values: the older examples and the property table show PascalCase keys (`Id`, `JoinUrl`,
`Title`, `MeetingType`, `StartTime`), the newer ones camelCase with `EndTime` still PascalCase;
the Agents SDK's models read PascalCase only."""

from __future__ import annotations

from typing import Any

MEETING_START = "application/vnd.microsoft.meetingStart"
MEETING_END = "application/vnd.microsoft.meetingEnd"
PARTICIPANT_JOIN = "application/vnd.microsoft.meetingParticipantJoin"
PARTICIPANT_LEAVE = "application/vnd.microsoft.meetingParticipantLeave"
MEETING_EVENTS = frozenset({MEETING_START, MEETING_END})
HANDLED_EVENTS = frozenset({MEETING_START, MEETING_END, PARTICIPANT_JOIN, PARTICIPANT_LEAVE})
_BY_FOLDED_NAME = {name.casefold(): name for name in HANDLED_EVENTS}


def canonical_event_name(name: Any) -> str | None:
    """The SDK's spelling of a meeting event `name` given in any case or padded with
    whitespace; None for any other name."""
    if not isinstance(name, str):
        return None
    return _BY_FOLDED_NAME.get(name.strip().casefold())


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
