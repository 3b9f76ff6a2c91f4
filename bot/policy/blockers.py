"""Why a gate said no: structured reasons for staff, each with a plain-English sentence template.

A blocker names people by pseudonymous attendee id only. Its staff template keeps an
`{attendee}` placeholder, which `blocker_sentences` fills the way its caller describes people
(by name for staff, by kind in an email).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from domain.terms import Topic


class BlockerCode(StrEnum):
    """One reason a gate is closed."""

    RECORDING_NOT_REQUESTED = "recording_not_requested"
    MEETING_CANCELLED = "meeting_cancelled"
    NO_ATTENDEES = "no_attendees"
    NO_SERVICE_USER = "no_service_user"
    NOT_LISTED = "not_listed"
    LISTED_AFTER_START = "listed_after_start"
    NO_REPLY = "no_reply"
    LATE_REPLY = "late_reply"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    NOT_AUTHENTICATED = "not_authenticated"
    SENDER_MISMATCH = "sender_mismatch"
    NOT_ASKED_ABOUT_DOCUMENT = "not_asked_about_document"
    UNKNOWN_PARTICIPANT_PRESENT = "unknown_participant_present"
    CLOSED_SINCE_START = "closed_since_start"
    SIGHT_LOST = "sight_lost"
    ORGANISATION_NOT_NAMED = "organisation_not_named"
    NOT_ASKED_ABOUT_ORGANISATION = "not_asked_about_organisation"


SOMEONE: Final = "someone"

SUBJECT_OF_TOPIC: Final[Mapping[Topic, str]] = {
    Topic.RECORDING: "recording the meeting",
    Topic.DOCUMENTS: "sharing documents",
    Topic.CONTRIBUTION: "staff contributing to discussions",
    Topic.LIAISON: "staff liaising with the professionals named",
}

STAFF_TEMPLATE_OF_CODE: Final[Mapping[BlockerCode, str]] = {
    BlockerCode.RECORDING_NOT_REQUESTED: (
        "Recording was not requested when the meeting was arranged."
    ),
    BlockerCode.MEETING_CANCELLED: "The meeting has been cancelled.",
    BlockerCode.NO_ATTENDEES: "The meeting has no attendees to give consent to {subject}.",
    BlockerCode.NO_SERVICE_USER: (
        "No parent carer or young person is invited to the meeting to give consent to {subject}."
    ),
    BlockerCode.NOT_LISTED: "This file was not listed for sharing before the meeting.",
    BlockerCode.LISTED_AFTER_START: (
        "This document was listed for sharing only after the meeting started."
    ),
    BlockerCode.NO_REPLY: "{attendee} has not replied to the request for consent to {subject}.",
    BlockerCode.LATE_REPLY: "{attendee}'s reply about {subject} arrived after the meeting started.",
    BlockerCode.REFUSED: "{attendee} refused consent to {subject}.",
    BlockerCode.WITHDRAWN: "{attendee} withdrew consent to {subject}.",
    BlockerCode.NOT_AUTHENTICATED: (
        "{attendee}'s consent email about {subject} could not be authenticated."
    ),
    BlockerCode.SENDER_MISMATCH: (
        "{attendee}'s consent email about {subject} did not come from their invited address."
    ),
    BlockerCode.NOT_ASKED_ABOUT_DOCUMENT: "{attendee} was not asked about sharing this document.",
    BlockerCode.UNKNOWN_PARTICIPANT_PRESENT: (
        "Someone who is not on the attendee list is in the meeting."
    ),
    BlockerCode.CLOSED_SINCE_START: (
        "Recording was not permitted at some point after the meeting started, so it stays off"
        " until the meeting ends: the bot never switches recording on during a meeting."
    ),
    BlockerCode.SIGHT_LOST: (
        "For a while after the meeting started, the bot could not see who was in it (it was"
        " restarting, or could not store what Teams sent), so it cannot tell that only"
        " attendees were there."
    ),
    BlockerCode.ORGANISATION_NOT_NAMED: (
        "This professional or organisation was not named for liaison, so no one was asked."
    ),
    BlockerCode.NOT_ASKED_ABOUT_ORGANISATION: (
        "{attendee} was not asked about liaising with this professional or organisation."
    ),
}


@dataclass(frozen=True, slots=True)
class Blocker:
    """One reason a gate is closed, for the topic it guards and the attendee it concerns, if any."""

    code: BlockerCode
    topic: Topic
    attendee_id: str | None = None

    @property
    def staff_template(self) -> str:
        """The sentence for staff, with `{attendee}` left for the service layer to fill."""
        return STAFF_TEMPLATE_OF_CODE[self.code].format(
            subject=SUBJECT_OF_TOPIC[self.topic], attendee="{attendee}"
        )


def blocker_sentences(
    blockers: Iterable[Blocker], describe_attendee: Callable[[str], str | None]
) -> tuple[str, ...]:
    """Each blocker's staff sentence, once each, its attendee as `describe_attendee` puts them
    ("someone" when it has no words for them, or the blocker concerns no attendee)."""
    sentences: dict[str, None] = {}
    for blocker in blockers:
        who = describe_attendee(blocker.attendee_id) if blocker.attendee_id else None
        text = blocker.staff_template.format(attendee=who or SOMEONE)
        sentences[text[:1].upper() + text[1:]] = None
    return tuple(sentences)
