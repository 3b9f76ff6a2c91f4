"""The vocabulary of consent shared by the policy core, the store and the services.

Identifiers here are pseudonymous (opaque strings); names and email addresses never appear.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Topic(StrEnum):
    """What a person is asked to consent to."""

    RECORDING = "recording"
    DOCUMENTS = "documents"
    CONTRIBUTION = "contribution"


class Decision(StrEnum):
    """What a person said about a topic."""

    GIVEN = "given"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class AttendeeKind(StrEnum):
    """Who an attendee is to the service."""

    PARENT_CARER = "parent_carer"
    YOUNG_PERSON = "young_person"
    STAFF = "staff"
    PROFESSIONAL = "professional"

    @property
    def is_service_user(self) -> bool:
        return self in (AttendeeKind.PARENT_CARER, AttendeeKind.YOUNG_PERSON)


class DeclaredRole(StrEnum):
    """The role staff declare for a meeting (digital policy, "Role of SEND IAS Service")."""

    SUPPORT = "support"
    SUPPORT_AND_CONTRIBUTE = "support_and_contribute"


class AuthVerdict(StrEnum):
    """The receiving tenant's verdict on whether an email really came from its sender."""

    PASS = "pass"  # noqa: S105 (an authentication verdict, not a password)
    FAIL = "fail"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Attendee:
    """An invited attendee, by pseudonymous id."""

    id: str
    kind: AttendeeKind


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    """One decision taken from one email, as the gates need to see it.

    `sender_matches` says the email came from the attendee's own invited address;
    `documents_covered` names the documents the person was asked about (documents topic only).
    """

    attendee_id: str
    topic: Topic
    decision: Decision
    received_at: datetime
    auth: AuthVerdict
    sender_matches: bool
    documents_covered: frozenset[str] = field(default_factory=frozenset)

    @property
    def trustworthy(self) -> bool:
        return self.auth is AuthVerdict.PASS and self.sender_matches


@dataclass(frozen=True, slots=True)
class Participant:
    """Someone present in the meeting; `attendee_id` is None when they match no invited attendee."""

    attendee_id: str | None


@dataclass(frozen=True, slots=True)
class ProposedDocument:
    """A document staff listed for sharing, and when it was listed."""

    id: str
    listed_at: datetime


@dataclass(frozen=True, slots=True)
class MeetingFacts:
    """Everything the gates need to know about one meeting."""

    starts_at: datetime
    attendees: tuple[Attendee, ...]
    decisions: tuple[ConsentRecord, ...]
    declared_role: DeclaredRole
    recording_requested: bool
    cancelled: bool = False
    present: tuple[Participant, ...] = ()
    documents: tuple[ProposedDocument, ...] = ()
