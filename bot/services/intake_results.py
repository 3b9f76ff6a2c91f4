"""What taking in a consent reply comes to: the email as it came, its outcome, why a person
must read it, where its receipt goes, and the plan worked out while reading it (decisions, a
review item, an answer to a legal request) that `consent_intake` records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.policy.legal_permission import RequestStatus, Step
from consent_store.audit import AuditEvent
from consent_store.legal_request_records import NewAnswer
from consent_store.records import NewDecision, NewReviewItem
from domain.terms import Decision, Topic


class IntakeOutcome(StrEnum):
    RECORDED = "recorded"
    LATE = "late"
    REVIEW = "review"
    NOTHING_ASKED = "nothing_asked"
    AUTO_REPLY = "auto_reply"
    UNREADABLE = "unreadable"
    DUPLICATE = "duplicate"
    LEGAL_ANSWER = "legal_answer"


class ReviewReason(StrEnum):
    """Why a person must read an email (shown to staff in plain words)."""

    NOT_UNDERSTOOD = "not_clearly_understood"
    NO_MEETING = "no_matching_meeting"
    CONFLICTING_MEETING = "reference_and_thread_disagree"
    UNKNOWN_SENDER = "sender_not_invited"
    SHARED_ADDRESS = "address_shared_by_attendees"
    NO_REQUEST = "no_request_sent"


@dataclass(frozen=True)
class InboundEmail:
    """An email as it came from the consent mailbox."""

    raw: bytes
    received_at: datetime
    mailbox_message_id: str | None = None


@dataclass(frozen=True)
class ReceiptAddress:
    """Where the receipt for recorded decisions goes: the attendee's invited address."""

    name: str
    email: str
    reference: str


@dataclass(frozen=True)
class IntakeResult:
    """What became of an email. `decisions` are those recorded now, for the receipt."""

    outcome: IntakeOutcome
    inbound_id: str | None = None
    meeting_id: str | None = None
    attendee_id: str | None = None
    decisions: tuple[tuple[Topic, Decision], ...] = ()
    reason: str | None = None
    review_item_id: str | None = None
    receipt_to: ReceiptAddress | None = None
    legal_receipt_job: str | None = None
    """The job sending the receipt for an answer to a legal request, queued with the answer."""


@dataclass(frozen=True)
class LegalAnswer:
    """An answer to a legal request's request for permission, to record as its step says."""

    request_id: str
    reference: str
    attendee_id: str
    status: RequestStatus
    step: Step
    answer: NewAnswer


@dataclass(frozen=True)
class Plan:
    """What to record for one email, worked out while only reading. `legal_request` names the
    legal request a review item is a reply about."""

    result: IntakeResult
    decisions: tuple[NewDecision, ...] = ()
    review: NewReviewItem | None = None
    audits: tuple[AuditEvent, ...] = ()
    legal: LegalAnswer | None = None
    legal_request: str | None = None
