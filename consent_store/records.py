"""What callers hand the store to write: plain, immutable values with personal data in clear.

The repository encrypts personal fields on the way in; nothing here is persisted as is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.terms import AttendeeKind, AuthVerdict, Decision, DeclaredRole, Topic


@dataclass(frozen=True)
class NewAttendee:
    name: str
    email: str
    kind: AttendeeKind
    organisation: str | None = None


@dataclass(frozen=True)
class NewDocument:
    title: str
    url: str


@dataclass(frozen=True)
class Supporter:
    """An interpreter or other supporter of the service user who will attend: invited as an
    attendee (asked for consent like the others) with the role the opening statement names."""

    email: str
    role: str


@dataclass(frozen=True)
class IndividualNeeds:
    """The service user's individual needs staff recorded when scheduling (digital policy:
    virtual meetings are offered "after considering the individual needs of the service
    user"). Personal data: sealed in the store, in subject access, disposed of with the
    meeting."""

    joins_by_phone: bool = False
    easy_read: bool = False
    other_format: str | None = None
    """Large print or another format for the documents, as staff wrote it."""
    supporter: Supporter | None = None

    @property
    def any(self) -> bool:
        return bool(self.joins_by_phone or self.easy_read or self.other_format or self.supporter)


@dataclass(frozen=True)
class NewMeeting:
    title: str
    starts_at: datetime
    ends_at: datetime
    organiser_user_id: str
    declared_role: DeclaredRole
    recording_requested: bool
    attendees: tuple[NewAttendee, ...]
    documents: tuple[NewDocument, ...] = ()
    liaison: tuple[str, ...] = ()
    """The professionals or organisations staff would like to liaise with about the matter
    (service users are asked with the other topics)."""
    needs: IndividualNeeds = IndividualNeeds()
    """The service user's individual needs; a supporter is in `attendees` too."""


@dataclass(frozen=True)
class NewConsentRequest:
    """A consent request as sent: the text's version and hash record what the person was told,
    and `text` (sealed) is the plain-text part itself, for subject access."""

    meeting_id: str
    attendee_id: str
    message_id: str
    template_version: str
    text_sha256: str
    topics: tuple[Topic, ...]
    documents_covered: tuple[str, ...]
    sent_at: datetime
    text: str | None = None


@dataclass(frozen=True)
class NewDecision:
    """A decision taken from an email (or confirmed by staff from the review queue)."""

    meeting_id: str
    attendee_id: str
    topic: Topic
    decision: Decision
    received_at: datetime
    auth: AuthVerdict
    sender_matches: bool
    decided_by: str
    sender: str | None = None
    message_id: str | None = None
    phrase: str | None = None
    email_sha256: str | None = None
    request_id: str | None = None
    documents_covered: tuple[str, ...] = ()
    condition: str | None = None
    review_item_id: str | None = None


@dataclass(frozen=True)
class NewReviewItem:
    """An email a person must read; `text` is only the sender's own new words."""

    received_at: datetime
    reason: str
    meeting_id: str | None = None
    attendee_id: str | None = None
    message_id: str | None = None
    sender: str | None = None
    text: str | None = None
    auth: AuthVerdict = AuthVerdict.NONE
