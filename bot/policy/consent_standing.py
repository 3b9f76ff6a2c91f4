"""Whether an attendee's consent on a topic stands, and if not, why.

Consent stands only when the latest pre-start decision is "given" and trustworthy, and no
refusal or withdrawal has arrived since the start. A refusal or withdrawal counts however it
arrived (fail closed); an untrustworthy "given" does not count.
"""

from __future__ import annotations

from bot.policy.blockers import Blocker, BlockerCode
from bot.policy.consent_history import (
    latest_objection_after_start,
    latest_pre_start_decision,
    replied_after_start,
)
from domain.terms import Attendee, AuthVerdict, ConsentRecord, Decision, MeetingFacts, Topic

_CODE_OF_OBJECTION = {
    Decision.REFUSED: BlockerCode.REFUSED,
    Decision.WITHDRAWN: BlockerCode.WITHDRAWN,
}


def _codes_against(record: ConsentRecord) -> tuple[BlockerCode, ...]:
    if record.decision in _CODE_OF_OBJECTION:
        return (_CODE_OF_OBJECTION[record.decision],)
    unauthenticated = (
        (BlockerCode.NOT_AUTHENTICATED,) if record.auth is not AuthVerdict.PASS else ()
    )
    mismatched = () if record.sender_matches else (BlockerCode.SENDER_MISMATCH,)
    return (*unauthenticated, *mismatched)


def _codes_before_start(
    facts: MeetingFacts, attendee_id: str, topic: Topic
) -> tuple[BlockerCode, ...]:
    latest = latest_pre_start_decision(facts, attendee_id, topic)
    if latest is not None:
        return _codes_against(latest)
    if replied_after_start(facts, attendee_id, topic):
        return (BlockerCode.LATE_REPLY,)
    return (BlockerCode.NO_REPLY,)


def consent_blockers(facts: MeetingFacts, attendee_id: str, topic: Topic) -> tuple[Blocker, ...]:
    """Every reason the attendee's consent on the topic does not stand; empty when it does."""
    before_start = _codes_before_start(facts, attendee_id, topic)
    objection = latest_objection_after_start(facts, attendee_id, topic)
    since_start = () if objection is None else _codes_against(objection)
    new_since_start = tuple(code for code in since_start if code not in before_start)
    return tuple(Blocker(code, topic, attendee_id) for code in (*before_start, *new_since_start))


def service_users(facts: MeetingFacts) -> tuple[Attendee, ...]:
    """The parent carers and young people invited to the meeting, in attendee order."""
    return tuple(a for a in facts.attendees if a.kind.is_service_user)


def group_consent_blockers(
    facts: MeetingFacts, topic: Topic, group: tuple[Attendee, ...], empty_code: BlockerCode
) -> tuple[Blocker, ...]:
    """Every reason the group's consent does not stand, in group order; `empty_code` if no one."""
    if not group:
        return (Blocker(empty_code, topic),)
    return tuple(b for a in group for b in consent_blockers(facts, a.id, topic))
