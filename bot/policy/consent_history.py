"""What an attendee said on a topic, read relative to the real start of the meeting.

The start is the meeting's real start (`MeetingFacts.cutoff`): the scheduled start, or earlier
if the meeting was seen starting earlier in Teams. Before the start, the latest record is the
attendee's decision. At or after the start, a reply
is "late": it can never give consent, but a late refusal or withdrawal still takes it away.
Records received at the same instant are read fail-closed: the most restrictive decision wins,
and a document counts as covered only if every one of them covers it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from domain.terms import AuthVerdict, ConsentRecord, Decision, MeetingFacts, Topic

_RANK_OF_DECISION = {Decision.WITHDRAWN: 0, Decision.REFUSED: 1, Decision.GIVEN: 2}


def _permissiveness(record: ConsentRecord) -> tuple[int, bool, bool]:
    return (
        _RANK_OF_DECISION[record.decision],
        record.auth is AuthVerdict.PASS,
        record.sender_matches,
    )


def _latest(records: Sequence[ConsentRecord]) -> ConsentRecord | None:
    if not records:
        return None
    latest_at = max(r.received_at for r in records)
    simultaneous = [r for r in records if r.received_at == latest_at]
    deciding = min(simultaneous, key=_permissiveness)
    covered_by_all = deciding.documents_covered.intersection(
        *(r.documents_covered for r in simultaneous)
    )
    return replace(deciding, documents_covered=covered_by_all)


def _records_on(facts: MeetingFacts, attendee_id: str, topic: Topic) -> list[ConsentRecord]:
    return [r for r in facts.decisions if r.attendee_id == attendee_id and r.topic is topic]


def latest_pre_start_decision(
    facts: MeetingFacts, attendee_id: str, topic: Topic
) -> ConsentRecord | None:
    """The attendee's latest decision on the topic received before the start, or None."""
    records = _records_on(facts, attendee_id, topic)
    return _latest([r for r in records if r.received_at < facts.cutoff])


def latest_objection_after_start(
    facts: MeetingFacts, attendee_id: str, topic: Topic
) -> ConsentRecord | None:
    """The attendee's latest refusal or withdrawal on the topic received at or after the start."""
    records = _records_on(facts, attendee_id, topic)
    return _latest(
        [r for r in records if r.received_at >= facts.cutoff and r.decision is not Decision.GIVEN]
    )


def replied_after_start(facts: MeetingFacts, attendee_id: str, topic: Topic) -> bool:
    """Whether any record from the attendee on the topic arrived at or after the start."""
    return any(r.received_at >= facts.cutoff for r in _records_on(facts, attendee_id, topic))
