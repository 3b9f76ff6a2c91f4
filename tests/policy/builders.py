"""Builders for meeting facts: named examples for tables, and hypothesis strategies.

Also a reference reading of the policy, written independently of the gates, that the
property tests compare the gates against.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import cache

from hypothesis import strategies as st

from bot.policy.blockers import Blocker, BlockerCode
from domain.terms import (
    Attendee,
    AttendeeKind,
    AuthVerdict,
    ConsentRecord,
    Decision,
    DeclaredRole,
    MeetingFacts,
    Participant,
    ProposedDocument,
    Topic,
)

START = datetime(2025, 3, 10, 10, 0, tzinfo=UTC)

PARENT = Attendee("parent-1", AttendeeKind.PARENT_CARER)
YOUNG_PERSON = Attendee("young-1", AttendeeKind.YOUNG_PERSON)
STAFF = Attendee("staff-1", AttendeeKind.STAFF)
SENCO = Attendee("senco-1", AttendeeKind.PROFESSIONAL)
UNINVITED_ID = "uninvited-1"

EHCP_DRAFT = "doc-ehcp-draft"
SCHOOL_REPORT = "doc-school-report"


def minutes_before(minutes: int) -> datetime:
    return START - timedelta(minutes=minutes)


def minutes_after(minutes: int) -> datetime:
    return START + timedelta(minutes=minutes)


A_DAY_BEFORE = minutes_before(60 * 24)
TWO_DAYS_BEFORE = minutes_before(60 * 48)


def reply(
    attendee: Attendee,
    topic: Topic,
    decision: Decision = Decision.GIVEN,
    *,
    at: datetime = A_DAY_BEFORE,
    auth: AuthVerdict = AuthVerdict.PASS,
    sender_matches: bool = True,
    documents: Iterable[str] = (),
) -> ConsentRecord:
    """One consent email from the attendee; by default a trustworthy "given" a day ahead."""
    return ConsentRecord(
        attendee_id=attendee.id,
        topic=topic,
        decision=decision,
        received_at=at,
        auth=auth,
        sender_matches=sender_matches,
        documents_covered=frozenset(documents),
    )


def meeting(
    attendees: Iterable[Attendee],
    *replies: ConsentRecord,
    recording_requested: bool = True,
    cancelled: bool = False,
    present: Iterable[str | None] = (),
    documents: Iterable[ProposedDocument] = (),
    declared_role: DeclaredRole = DeclaredRole.SUPPORT,
) -> MeetingFacts:
    """A meeting starting at START; `present` lists the attendee ids of those in the call."""
    return MeetingFacts(
        starts_at=START,
        attendees=tuple(attendees),
        decisions=replies,
        declared_role=declared_role,
        recording_requested=recording_requested,
        cancelled=cancelled,
        present=tuple(Participant(attendee_id) for attendee_id in present),
        documents=tuple(documents),
    )


def listed(document_id: str, at: datetime = TWO_DAYS_BEFORE) -> ProposedDocument:
    return ProposedDocument(id=document_id, listed_at=at)


def without_late_replies(facts: MeetingFacts, *, keep_objections: bool) -> MeetingFacts:
    """The meeting minus records received at or after the start, optionally keeping objections."""
    kept = tuple(
        r
        for r in facts.decisions
        if r.received_at < real_start_of(facts)
        or (keep_objections and r.decision is not Decision.GIVEN)
    )
    return replace(facts, decisions=kept)


def with_reply(facts: MeetingFacts, record: ConsentRecord) -> MeetingFacts:
    return replace(facts, decisions=(*facts.decisions, record))


def summarise(blockers: Iterable[Blocker]) -> list[tuple[BlockerCode, str | None]]:
    """What staff are told: each reason, and whom it concerns."""
    return [(b.code, b.attendee_id) for b in blockers]


def late_read_as_no_reply(blockers: Iterable[Blocker]) -> list[tuple[BlockerCode, str | None]]:
    """The summary with a late reply read as no reply, for comparing with and without one."""
    return [
        (BlockerCode.NO_REPLY if code is BlockerCode.LATE_REPLY else code, attendee_id)
        for code, attendee_id in summarise(blockers)
    ]


# Reference reading of the policy.


def real_start_of(facts: MeetingFacts) -> datetime:
    """The scheduled start, or the start seen in Teams if that was earlier."""
    seen = [facts.started_at] if facts.started_at is not None else []
    return min([facts.starts_at, *seen])


def _last_word_stands(
    facts: MeetingFacts, attendee_id: str, topic: Topic, covers: Callable[[ConsentRecord], bool]
) -> bool:
    on_topic = [r for r in facts.decisions if r.attendee_id == attendee_id and r.topic is topic]
    before = [r for r in on_topic if r.received_at < real_start_of(facts)]
    if not before:
        return False
    latest_at = max(r.received_at for r in before)
    last_word = [r for r in before if r.received_at == latest_at]
    objected_since = any(
        r.received_at >= real_start_of(facts) and r.decision is not Decision.GIVEN for r in on_topic
    )
    return not objected_since and all(
        r.decision is Decision.GIVEN
        and r.auth is AuthVerdict.PASS
        and r.sender_matches
        and covers(r)
        for r in last_word
    )


def consent_stands(facts: MeetingFacts, attendee_id: str, topic: Topic) -> bool:
    """Every email at the latest pre-start instant is a trustworthy "given", and no refusal or
    withdrawal arrived from the start on."""
    return _last_word_stands(facts, attendee_id, topic, lambda _: True)


def consent_to_document_stands(
    facts: MeetingFacts, attendee_id: str, document_id: str | None
) -> bool:
    """Consent to documents stands, and every email at that instant covers this document."""
    return _last_word_stands(
        facts, attendee_id, Topic.DOCUMENTS, lambda r: document_id in r.documents_covered
    )


def service_user_ids(facts: MeetingFacts) -> list[str]:
    return [
        a.id
        for a in facts.attendees
        if a.kind in (AttendeeKind.PARENT_CARER, AttendeeKind.YOUNG_PERSON)
    ]


# Hypothesis strategies. Choices are weighted towards consent so that open gates are common.

ATTENDEE_IDS = ("a-1", "a-2", "a-3", "a-4")
DOCUMENT_IDS = ("d-1", "d-2", "d-3")

moments_near_start = st.integers(min_value=-3, max_value=2).map(minutes_after)
moments_before_start = st.integers(min_value=1, max_value=3).map(minutes_before)
moments_from_start = st.integers(min_value=0, max_value=2).map(minutes_after)
real_starts = st.one_of(
    st.none(), st.none(), st.integers(min_value=-4, max_value=1).map(minutes_after)
)
"""When the meeting was seen starting: not yet, early (up to four minutes), or on time."""
objections = st.sampled_from([Decision.REFUSED, Decision.WITHDRAWN])
mostly_given = st.sampled_from([Decision.GIVEN] * 3 + [Decision.REFUSED, Decision.WITHDRAWN])
any_topic = st.sampled_from(Topic)
auth_verdicts = st.sampled_from([AuthVerdict.PASS] * 3 + [AuthVerdict.FAIL, AuthVerdict.NONE])
attendee_lists = st.lists(
    st.builds(Attendee, id=st.sampled_from(ATTENDEE_IDS), kind=st.sampled_from(AttendeeKind)),
    max_size=len(ATTENDEE_IDS),
    unique_by=lambda a: a.id,
)


def consent_records(
    attendee_ids: st.SearchStrategy[str],
    topics: st.SearchStrategy[Topic] = any_topic,
    decisions: st.SearchStrategy[Decision] = mostly_given,
    moments: st.SearchStrategy[datetime] = moments_near_start,
) -> st.SearchStrategy[ConsentRecord]:
    """Emails of any kind, mostly trustworthy "given"s, received around the start."""
    return st.builds(
        ConsentRecord,
        attendee_id=attendee_ids,
        topic=topics,
        decision=decisions,
        received_at=moments,
        auth=auth_verdicts,
        sender_matches=st.sampled_from([True, True, True, False]),
        documents_covered=st.one_of(
            st.just(frozenset(DOCUMENT_IDS)), st.frozensets(st.sampled_from(DOCUMENT_IDS))
        ),
    )


def genuine_consent_before_start(
    attendee_id: str, topic: Topic
) -> st.SearchStrategy[ConsentRecord]:
    """A trustworthy "given" shortly before the start, covering every document."""
    return st.builds(
        ConsentRecord,
        attendee_id=st.just(attendee_id),
        topic=st.just(topic),
        decision=st.just(Decision.GIVEN),
        received_at=moments_before_start,
        auth=st.just(AuthVerdict.PASS),
        sender_matches=st.just(True),
        documents_covered=st.just(frozenset(DOCUMENT_IDS)),
    )


proposed_documents = st.one_of(
    st.just(tuple(ProposedDocument(d, minutes_before(60)) for d in DOCUMENT_IDS)),
    st.lists(
        st.builds(ProposedDocument, id=st.sampled_from(DOCUMENT_IDS), listed_at=moments_near_start),
        max_size=3,
    ).map(tuple),
)


@cache
def replies_about(attendee_id: str, topic: Topic) -> st.SearchStrategy[Sequence[ConsentRecord]]:
    """An attendee's emails on a topic: one genuine consent, or up to three of any kind."""
    return st.one_of(
        st.lists(consent_records(st.just(attendee_id), st.just(topic)), max_size=3),
        st.tuples(genuine_consent_before_start(attendee_id, topic)),
    )


replies_from_a_stranger = st.lists(consent_records(st.just(UNINVITED_ID)), max_size=2)


@st.composite
def meeting_facts(draw: st.DrawFn) -> MeetingFacts:
    """A meeting where each attendee sends, per topic, either one genuine consent before the
    start or up to three emails of any kind; strangers may send emails too. It may have been
    seen starting early, and recording may have been closed since."""
    attendees = draw(attendee_lists)
    replies_from_attendees = [
        record
        for attendee in attendees
        for topic in Topic
        for record in draw(replies_about(attendee.id, topic))
    ]
    replies_from_strangers = draw(replies_from_a_stranger)
    present_ids = st.sampled_from([*(a.id for a in attendees)] * 2 + [None, UNINVITED_ID])
    started_at = draw(real_starts)
    return MeetingFacts(
        starts_at=START,
        attendees=tuple(attendees),
        decisions=tuple(draw(st.permutations([*replies_from_attendees, *replies_from_strangers]))),
        declared_role=draw(st.sampled_from(DeclaredRole)),
        recording_requested=draw(st.sampled_from([True, True, False])),
        cancelled=draw(st.sampled_from([False, False, True])),
        present=tuple(draw(st.lists(st.builds(Participant, present_ids), max_size=3))),
        documents=draw(proposed_documents),
        started_at=started_at,
        recording_closed_since_start=started_at is not None and draw(st.booleans()),
    )


def owner_of_a_reply(facts: MeetingFacts) -> st.SearchStrategy[str]:
    """Someone who might send a reply about this meeting: an attendee, or someone uninvited."""
    return st.sampled_from([*(a.id for a in facts.attendees), UNINVITED_ID])


document_choices = st.sampled_from([*DOCUMENT_IDS, None])
