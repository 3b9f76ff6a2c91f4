"""The subject access report: what the store holds about one person, as records (their
invitations, the consent requests sent to them, the decisions with their evidence, review items,
legal requests, recordings, individual needs and audit entries), and the report as data (JSON)
and as a readable document (HTML, from a template). Gathered by `consent_store.subject_access`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime

from templates import environment
from templates.audit_words import (
    DECISION_WORDS,
    REASON_WORDS,
    TOPIC_WORDS,
    action_sentence,
    decided_by_words,
    detail_sentences,
    request_words,
)


@dataclass(frozen=True)
class Invitation:
    meeting_reference: str
    meeting_title: str | None
    starts_at: datetime
    ends_at: datetime
    invited_as: str
    name: str | None
    email: str | None
    organisation: str | None


@dataclass(frozen=True)
class NeedsHeld:
    """The individual needs recorded for a meeting the person was invited to. A service user
    sees every need recorded (the supporter by role only: their name and address are theirs);
    the interpreter or supporter sees only the role they were invited in."""

    meeting_reference: str
    joins_by_phone: bool | None
    easy_read: bool | None
    other_format: str | None
    supporter_role: str | None


@dataclass(frozen=True)
class RequestSent:
    """A consent request sent to the person: what it asked, when, and its words as sent
    (None for requests sent before the text was kept, or once the meeting was disposed of)."""

    meeting_reference: str
    sent_at: datetime
    topics: tuple[str, ...]
    text_version: str
    text_sha256: str
    text: str | None


@dataclass(frozen=True)
class DecisionHeld:
    meeting_reference: str
    topic: str
    decision: str
    received_at: datetime
    sender: str | None
    authentication: str
    sender_matched_invitation: bool
    deciding_phrase: str | None
    email_message_id: str | None
    email_sha256: str | None
    request_text_version: str | None
    request_text_sha256: str | None
    decided_by: str
    condition: str | None = None
    organisations: tuple[str, ...] = ()
    """For permission to liaise: the professionals or organisations the request named."""


@dataclass(frozen=True)
class LegalRequestHeld:
    """A request for the person's information for legal reasons, and what became of it."""

    reference: str
    logged_at: datetime
    officer: str
    basis: str
    meeting_references: tuple[str, ...]
    status: str
    permission_asked_at: datetime | None
    answer: str | None
    answered_at: datetime | None
    answer_words: str | None
    sent_for_safeguarding_at: datetime | None
    extract_sent_at: datetime | None
    extract_sha256: str | None


@dataclass(frozen=True)
class ReviewItemHeld:
    meeting_reference: str | None
    received_at: datetime
    reason: str
    status: str
    text: str | None


@dataclass(frozen=True)
class RecordingHeld:
    """A recording or transcript Teams made of a meeting the person was invited to: its ids
    and times only (the bot holds no content)."""

    meeting_reference: str
    kind: str
    graph_id: str
    made_at: datetime | None
    ended_at: datetime | None
    with_everyones_consent: bool


@dataclass(frozen=True)
class AuditEntryHeld:
    seq: int
    at: datetime
    action: str
    meeting_reference: str | None
    detail: str


@dataclass(frozen=True)
class SubjectAccessReport:
    email: str
    produced_at: datetime
    invitations: tuple[Invitation, ...]
    decisions: tuple[DecisionHeld, ...]
    review_items: tuple[ReviewItemHeld, ...]
    audit_entries: tuple[AuditEntryHeld, ...]
    recordings: tuple[RecordingHeld, ...] = ()
    requests_sent: tuple[RequestSent, ...] = ()
    legal_requests: tuple[LegalRequestHeld, ...] = ()
    needs: tuple[NeedsHeld, ...] = ()

    @property
    def holds_anything(self) -> bool:
        return bool(
            self.invitations
            or self.requests_sent
            or self.decisions
            or self.review_items
            or self.legal_requests
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self), default=_json_default, indent=2, ensure_ascii=False)

    def to_html(self) -> str:
        return environment().get_template("sar.html.j2").render(report=self, **REPORT_HELPERS)


REPORT_HELPERS: Mapping[str, object] = {
    "action_sentence": action_sentence,
    "detail_sentences": detail_sentences,
    "request_words": request_words,
    "decided_by_words": decided_by_words,
    "topic_words": TOPIC_WORDS,
    "decision_words": DECISION_WORDS,
    "reason_words": REASON_WORDS,
}
"""What the report's templates (`sar.html.j2`, `sar_sections.html.j2`) read besides the
report: the audit trail and answers in words."""


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")
