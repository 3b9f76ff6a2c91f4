"""What reading a consent reply produces: per-topic findings and the review flag, or Unreadable.

A topic absent from `Classification.findings` is one the reply did not speak to (or one whose
answer was held back for a person to read). `Decision.GIVEN` never appears together with
`needs_review`: a reply that needs a person gives no consent until that person says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from domain.terms import AuthVerdict, Decision, Topic


@dataclass(frozen=True, slots=True)
class Finding:
    """One topic's decision and the sender's own words that decided it."""

    decision: Decision
    evidence: str


@dataclass(frozen=True, slots=True)
class Classification:
    """What the sender's own words say about each topic.

    `review_reasons` name the phrases that sent the reply to a person; empty unless
    `needs_review`.
    """

    findings: Mapping[Topic, Finding]
    needs_review: bool
    review_reasons: tuple[str, ...] = ()

    def decision(self, topic: Topic) -> Decision | None:
        finding = self.findings.get(topic)
        return finding.decision if finding else None


@dataclass(frozen=True, slots=True)
class ConsentReply:
    """A consent email read end to end.

    `auto_reply` replies (out-of-office, bounces, read receipts) decide nothing: their
    classification is always empty, never needs review, and their `own_words` are not read
    (empty). `own_words` is the text the classification was made from, for a person to read.
    `authenticated` is the receiving tenant's verdict from the topmost Authentication-Results
    header. `legal_reference` is a legal request's reference (`LR-...`) when the email carries
    one: it may answer a request for permission to send information for legal reasons.
    """

    reference: str | None
    sender: str | None
    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    authenticated: AuthVerdict
    auto_reply: bool
    classification: Classification
    own_words: str
    legal_reference: str | None = None


@dataclass(frozen=True, slots=True)
class Unreadable:
    """Bytes that could not be read as an email, and why."""

    reason: str
