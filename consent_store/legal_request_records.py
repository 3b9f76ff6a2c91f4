"""What a legal request is kept and read as in the store (issue 17): the request as logged
and as staff and the manager see it (with the service user's answer, the safeguarding reason
and the extract as sent), the service user invited to its meetings, and an answer to record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class NewLegalRequest:
    officer_name: str
    officer_email: str
    basis: str
    attendee_id: str
    meeting_ids: tuple[str, ...]
    logged_by: str


@dataclass(frozen=True, slots=True)
class ServiceUserInvitation:
    """A parent carer or young person invited to a meeting, as one of its attendees."""

    meeting_id: str
    attendee_id: str
    kind: str


@dataclass(frozen=True, slots=True)
class Answer:
    """The service user's answer to the request for permission, with its evidence."""

    received_at: datetime
    by: str
    auth: str
    sender_matches: bool
    phrase: str | None


@dataclass(frozen=True, slots=True)
class Safeguarding:
    """The manager's reason to send without permission, by whom and when."""

    reason: str | None
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ExtractSent:
    """The extract as sent: its SHA-256 and when (its content is not kept)."""

    sha256: str
    at: datetime


@dataclass(frozen=True, slots=True)
class LegalRequest:
    """A legal request as staff and the manager see it."""

    id: str
    reference: str
    logged_at: datetime
    officer_name: str
    officer_email: str
    basis: str
    attendee_id: str
    status: str
    meeting_references: tuple[str, ...]
    decided_at: datetime | None = None
    permission_asked_at: datetime | None = None
    answer: Answer | None = None
    safeguarding: Safeguarding | None = None
    extract: ExtractSent | None = None
    disposed_at: datetime | None = None
    """When its personal fields went with the last of its meetings (retention)."""
    disposed_meetings: tuple[str, ...] = ()
    """The references of the meetings it names that were disposed of (retention)."""


@dataclass(frozen=True, slots=True)
class AnswerTarget:
    """What reading an answer needs of the request it answers: where it stands, and the
    service user's attendee id and address (as its blind index)."""

    id: str
    reference: str
    status: str
    attendee_id: str
    email_index: str | None


@dataclass(frozen=True, slots=True)
class NewAnswer:
    """An answer to record: who read it (`email` or `staff:<id>`) and the email's evidence."""

    received_at: datetime
    by: str
    auth: str
    sender_matches: bool
    message_id: str | None
    email_sha256: str | None
    phrase: str | None
