"""The words more than one staff page shows: the vocabulary (attendee kinds, roles, consent
topics and decisions, legal request states), what is said when Microsoft 365 fails, and what
the one 404 page says is missing.

Pages take their shared words from here, never from each other (tests/test_layers.py): a page's
own words stay in its module. Pure data, no I/O."""

from __future__ import annotations

from dataclasses import dataclass

from bot.policy.legal_permission import RequestStatus
from bot.web.pages import Link
from domain.terms import AttendeeKind, Decision, DeclaredRole, Topic

KIND_WORDS = {
    AttendeeKind.PARENT_CARER.value: "Parent carer",
    AttendeeKind.YOUNG_PERSON.value: "Young person",
    AttendeeKind.STAFF.value: "IASS staff",
    AttendeeKind.PROFESSIONAL.value: "Professional",
}
"""Each kind of attendee, by its stored value."""

SERVICE_USER_KINDS = {
    kind: KIND_WORDS[kind]
    for kind in (AttendeeKind.PARENT_CARER.value, AttendeeKind.YOUNG_PERSON.value)
}
OTHER_ATTENDEE_KINDS = {
    kind: KIND_WORDS[kind] for kind in (AttendeeKind.PROFESSIONAL.value, AttendeeKind.STAFF.value)
}

ROLE_WORDS = {
    DeclaredRole.SUPPORT: "Support",
    DeclaredRole.SUPPORT_AND_CONTRIBUTE: "Support and contribute",
}

TOPIC_WORDS = {
    Topic.RECORDING: "Recording the meeting",
    Topic.DOCUMENTS: "Sharing documents",
    Topic.CONTRIBUTION: "IASS contributing to discussions",
    Topic.LIAISON: "Liaising with the professionals named",
}

DECISION_WORDS = {
    Decision.GIVEN: "Given",
    Decision.REFUSED: "Refused",
    Decision.WITHDRAWN: "Withdrawn",
}

LEGAL_STATUS_WORDS = {
    RequestStatus.LOGGED: "Waiting for the service manager's decision",
    RequestStatus.REFUSED_BY_MANAGER: "Refused by the service manager: nothing was asked or sent",
    RequestStatus.PERMISSION_ASKED: "The service user was asked for permission: nothing is"
    " sent unless they agree",
    RequestStatus.PERMISSION_GIVEN: "The service user gave permission: the extract is being sent",
    RequestStatus.PERMISSION_REFUSED: "The service user refused permission: nothing is sent",
    RequestStatus.SAFEGUARDING: "To be sent without permission, for safeguarding: the extract"
    " is being sent",
    RequestStatus.EXTRACT_SENT: "The extract was sent to the officer",
}

GRAPH_FAILURE_ADVICE = (
    "This is usually a passing problem with Microsoft 365: try again in a few minutes. "
    "If it keeps happening, tell whoever looks after the service's Microsoft 365 (IT), with "
    "the time it happened."
)


def back_to_meeting(reference: str) -> Link:
    return Link(f"/tab/meetings/{reference}", "Back to the meeting")


@dataclass(frozen=True)
class Missing:
    """What the 404 page (`error_pages.not_found`) says is not there, and the way back."""

    title: str
    sentence: str
    back: Link


NO_PAGE = Missing(
    "Page not found",
    "There is no page at this address. If you typed it, check it; if you followed a link, the "
    "page may have moved or been removed.",
    Link("/tab", "Go to the list of meetings"),
)
NO_MEETING = Missing(
    "Meeting not found", "No meeting has that reference.", Link("/tab", "Back to meetings")
)
NO_LEGAL_REQUEST = Missing(
    "Legal request not found",
    "No legal request has that reference.",
    Link("/tab/legal", "Back to legal requests"),
)


def no_recording_waiting(reference: str) -> Missing:
    """A recording found without consent that is not (or no longer) waiting for staff."""
    return Missing(
        "Recording not found",
        "No recording of this meeting is waiting for that.",
        back_to_meeting(reference),
    )
