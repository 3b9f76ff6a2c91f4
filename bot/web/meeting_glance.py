"""The meeting page at a glance: four answers at the top of the page, each a status tag and one
sentence (may this meeting be recorded, may each document be shared, which role the bot will
state, and what is still missing), worked out from the page's view model. The detail follows
below them on the page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from bot.web.meeting_view import GateView, MeetingView

TagColour = Literal["green", "red", "yellow", "grey", "blue"]


@dataclass(frozen=True)
class Answer:
    """One line of the summary: what it is about, a tag, and a sentence."""

    about: str
    tag: str
    colour: TagColour
    sentence: str


@dataclass(frozen=True)
class Glance:
    recording: Answer
    documents: tuple[Answer, ...]
    role: Answer
    missing: Answer


def _because(gate: GateView) -> str:
    """The first reason as the sentence, saying how many more follow below."""
    if not gate.reasons:
        return f"{gate.answer}."
    first = gate.reasons[0].rstrip(".")
    more = len(gate.reasons) - 1
    if more == 0:
        return f"{first}."
    return f"{first}, and {more} more reason{'s' if more > 1 else ''} below."


def _in_sentence(words: str) -> str:
    """`words` to follow other words: a capital first letter lowered, unless it begins an
    abbreviation ("IASS")."""
    return words if words[1:2].isupper() else words[:1].lower() + words[1:]


def _recording(meeting: MeetingView) -> Answer:
    if not meeting.recording_requested:
        return Answer(
            "Recording",
            "Not asked for",
            "grey",
            "Recording was not asked for, so the meeting will not be recorded.",
        )
    if meeting.recording.permitted:
        return Answer(
            "Recording", "Permitted", "green", "Everyone still invited agreed to recording."
        )
    return Answer("Recording", "Not permitted", "red", _because(meeting.recording))


def _document(index: int, title: str | None, gate: GateView) -> Answer:
    about = title or f"Document {index} (title removed under the retention schedule)"
    if gate.permitted:
        return Answer(about, "May be shared", "green", "Every service user agreed to sharing.")
    return Answer(about, "May not be shared", "red", _because(gate))


def _role(meeting: MeetingView) -> Answer:
    if meeting.role.permitted:
        return Answer("Role stated", meeting.stated_role, "blue", "It is the role you declared.")
    return Answer("Role stated", meeting.stated_role, "yellow", _because(meeting.role))


def _missing(meeting: MeetingView) -> Answer:
    waiting = [
        (attendee.name or "someone whose name was removed", _in_sentence(status.topic))
        for attendee in meeting.attendees
        for status in attendee.topics
        if status.decision is None
    ]
    parts: list[str] = []
    if waiting:
        people: dict[str, list[str]] = {}
        for name, topic in waiting:
            people.setdefault(name, []).append(topic)
        parts.append(
            "no reply yet from "
            + "; ".join(f"{name} ({', '.join(topics)})" for name, topics in people.items())
        )
    if meeting.open_review_items:
        count = meeting.open_review_items
        parts.append(
            f"{count} email{'s' if count > 1 else ''} about this meeting "
            f"{'wait' if count > 1 else 'waits'} in the review queue"
        )
    if meeting.needs_attention:
        parts.append("the meeting needs attention (see below)")
    if not parts:
        return Answer("Still missing", "Nothing", "green", "Every reply asked for has arrived.")
    sentence = "; ".join(parts)
    awaited = len(waiting) + meeting.open_review_items
    tag = f"{awaited} awaited" if awaited else "Needs attention"
    return Answer("Still missing", tag, "yellow", sentence[:1].upper() + sentence[1:] + ".")


def at_a_glance(meeting: MeetingView) -> Glance:
    return Glance(
        recording=_recording(meeting),
        documents=tuple(
            _document(index, document.title, document.sharing)
            for index, document in enumerate(meeting.documents, start=1)
        ),
        role=_role(meeting),
        missing=_missing(meeting),
    )
