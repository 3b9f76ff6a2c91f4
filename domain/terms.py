"""The vocabulary of consent shared by the policy core (`bot/policy/`), the store
(`consent_store/`) and the services. It imports nothing of theirs, so the store reaches it
without importing the bot.

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
    LIAISON = "liaison"


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
    `documents_covered` names the documents the person was asked about (documents topic only);
    `organisations_covered` the organisations named in the request (liaison topic only).
    """

    attendee_id: str
    topic: Topic
    decision: Decision
    received_at: datetime
    auth: AuthVerdict
    sender_matches: bool
    documents_covered: frozenset[str] = field(default_factory=frozenset)
    organisations_covered: frozenset[str] = field(default_factory=frozenset)

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
    """Everything the gates need to know about one meeting.

    `starts_at` is the scheduled start; `started_at` is when the meeting really started, if it
    has (the earliest start seen: the scheduled time once it has passed, or earlier in Teams:
    the meeting-start event, the first join, the bot's call, the first roster with anyone in
    it). `recording_closed_since_start` says recording was found not permitted, or off in
    Teams, at some point since that start; `sight_lost_since_start` that the bot could not see
    who was present for a while after it (it was not running, or could not store what Teams
    sent), so someone may have joined and left unseen.
    """

    starts_at: datetime
    attendees: tuple[Attendee, ...]
    decisions: tuple[ConsentRecord, ...]
    declared_role: DeclaredRole
    recording_requested: bool
    cancelled: bool = False
    present: tuple[Participant, ...] = ()
    documents: tuple[ProposedDocument, ...] = ()
    started_at: datetime | None = None
    recording_closed_since_start: bool = False
    sight_lost_since_start: bool = False

    @property
    def cutoff(self) -> datetime:
        """The real start, before which consent must arrive: the scheduled start, or an
        earlier start seen in Teams."""
        return real_start(self.starts_at, self.started_at)

    @property
    def has_started(self) -> bool:
        return self.started_at is not None


def real_start(starts_at: datetime, started_at: datetime | None) -> datetime:
    """The earlier of the scheduled start and the start seen, if any."""
    return starts_at if started_at is None else min(starts_at, started_at)


@dataclass(frozen=True, slots=True)
class NamedOrganisation:
    """A professional or organisation staff named for liaison, by pseudonymous id, and when."""

    id: str
    named_at: datetime


@dataclass(frozen=True, slots=True)
class LiaisonFacts:
    """What the liaison rule needs about one meeting's matter: whom it is about (the invited
    attendees; only service users are asked), whom staff named, and every decision received."""

    attendees: tuple[Attendee, ...]
    organisations: tuple[NamedOrganisation, ...]
    decisions: tuple[ConsentRecord, ...]
