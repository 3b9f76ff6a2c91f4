"""What Teams told the bot about a meeting chat, as the activity inbox keeps it until handled:
one dataclass per kind of activity, and its JSON form (the payload the store seals)."""

from __future__ import annotations

import json
from dataclasses import astuple, dataclass
from typing import Any

from bot.services.live_meeting import PostedFile, TeamsPerson


@dataclass(frozen=True, slots=True)
class MeetingStarted:
    pass


@dataclass(frozen=True, slots=True)
class MeetingEnded:
    pass


@dataclass(frozen=True, slots=True)
class ParticipantJoined:
    person: TeamsPerson


@dataclass(frozen=True, slots=True)
class ParticipantLeft:
    person: TeamsPerson


@dataclass(frozen=True, slots=True)
class FilePosted:
    poster: TeamsPerson
    file: PostedFile


MeetingActivity = MeetingStarted | MeetingEnded | ParticipantJoined | ParticipantLeft | FilePosted

_KINDS: dict[str, type[MeetingActivity]] = {
    "meeting_started": MeetingStarted,
    "meeting_ended": MeetingEnded,
    "participant_joined": ParticipantJoined,
    "participant_left": ParticipantLeft,
    "file_posted": FilePosted,
}
_KIND_OF = {cls: kind for kind, cls in _KINDS.items()}


class UnreadableActivity(ValueError):
    """A stored activity whose kind or payload this version of the bot does not know."""


def encoded(activity: MeetingActivity) -> tuple[str, str]:
    """The activity's kind and its payload as JSON."""
    match activity:
        case ParticipantJoined(person) | ParticipantLeft(person):
            payload: dict[str, Any] = {"person": list(astuple(person))}
        case FilePosted(poster, file):
            payload = {"poster": list(astuple(poster)), "file": list(astuple(file))}
        case MeetingStarted() | MeetingEnded():
            payload = {}
    return _KIND_OF[type(activity)], json.dumps(payload, separators=(",", ":"))


def decoded(kind: str, payload: str) -> MeetingActivity:
    """The activity `encoded` gave this kind and payload; `UnreadableActivity` otherwise."""
    if kind not in _KINDS:
        raise UnreadableActivity(f"unknown meeting activity kind {kind!r}")
    try:
        fields = json.loads(payload)
        match kind:
            case "participant_joined":
                return ParticipantJoined(TeamsPerson(*fields["person"]))
            case "participant_left":
                return ParticipantLeft(TeamsPerson(*fields["person"]))
            case "file_posted":
                return FilePosted(TeamsPerson(*fields["poster"]), PostedFile(*fields["file"]))
            case "meeting_started":
                return MeetingStarted()
            case _:
                return MeetingEnded()
    except (ValueError, KeyError, TypeError) as error:
        raise UnreadableActivity(f"a {kind} activity's payload is malformed") from error
