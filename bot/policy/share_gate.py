"""Whether a document may be shared in a meeting.

Policy: staff "will request consent from service-users prior to the meeting before sharing any
documents at virtual meetings". The document must have been listed before the start, and every
service user must have given trustworthy consent before the start that covers this document.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.policy.blockers import Blocker, BlockerCode
from bot.policy.consent_history import latest_pre_start_decision
from bot.policy.consent_standing import consent_blockers, service_users
from domain.terms import Decision, MeetingFacts, Topic


@dataclass(frozen=True, slots=True)
class ShareVerdict:
    """Every reason the document may not be shared: document and meeting first, then service users.

    `document_id` is None for a file that matches no proposed document.
    """

    document_id: str | None
    blockers: tuple[Blocker, ...]

    @property
    def permitted(self) -> bool:
        return not self.blockers


def _listing_blockers(facts: MeetingFacts, document_id: str | None) -> tuple[Blocker, ...]:
    listed_at = [d.listed_at for d in facts.documents if d.id == document_id]
    if not listed_at:
        return (Blocker(BlockerCode.NOT_LISTED, Topic.DOCUMENTS),)
    if min(listed_at) >= facts.cutoff:
        return (Blocker(BlockerCode.LISTED_AFTER_START, Topic.DOCUMENTS),)
    return ()


def _coverage_blockers(
    facts: MeetingFacts, attendee_id: str, document_id: str | None
) -> tuple[Blocker, ...]:
    latest = latest_pre_start_decision(facts, attendee_id, Topic.DOCUMENTS)
    gave_consent_without_this_document = (
        latest is not None
        and latest.decision is Decision.GIVEN
        and document_id not in latest.documents_covered
    )
    if gave_consent_without_this_document:
        return (Blocker(BlockerCode.NOT_ASKED_ABOUT_DOCUMENT, Topic.DOCUMENTS, attendee_id),)
    return ()


def _service_user_blockers(facts: MeetingFacts, document_id: str | None) -> tuple[Blocker, ...]:
    users = service_users(facts)
    if not users:
        return (Blocker(BlockerCode.NO_SERVICE_USER, Topic.DOCUMENTS),)
    return tuple(
        blocker
        for user in users
        for blocker in (
            *consent_blockers(facts, user.id, Topic.DOCUMENTS),
            *_coverage_blockers(facts, user.id, document_id),
        )
    )


def evaluate_share(facts: MeetingFacts, document_id: str | None) -> ShareVerdict:
    """Decide whether the document may be shared, listing every reason it may not."""
    cancelled = (
        (Blocker(BlockerCode.MEETING_CANCELLED, Topic.DOCUMENTS),) if facts.cancelled else ()
    )
    return ShareVerdict(
        document_id=document_id,
        blockers=(
            *_listing_blockers(facts, document_id),
            *cancelled,
            *_service_user_blockers(facts, document_id),
        ),
    )
