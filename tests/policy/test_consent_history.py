"""Reading an attendee's emails against the start: the last word before it, and objections after."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.policy.consent_history import (
    latest_objection_after_start,
    latest_pre_start_decision,
    replied_after_start,
)
from domain.terms import AuthVerdict, ConsentRecord, Decision, MeetingFacts, Topic

from .builders import (
    ATTENDEE_IDS,
    PARENT,
    meeting,
    meeting_facts,
    minutes_after,
    minutes_before,
    real_start_of,
    reply,
)

R = Topic.RECORDING
TEN_TO = minutes_before(10)


@pytest.mark.parametrize(
    ("simultaneous", "expected"),
    [
        pytest.param(
            (reply(PARENT, R, at=TEN_TO), reply(PARENT, R, Decision.REFUSED, at=TEN_TO)),
            Decision.REFUSED,
            id="refusal-outranks-given",
        ),
        pytest.param(
            (reply(PARENT, R, Decision.REFUSED, at=TEN_TO), reply(PARENT, R, at=TEN_TO)),
            Decision.REFUSED,
            id="refusal-outranks-given-stored-first",
        ),
        pytest.param(
            (
                reply(PARENT, R, Decision.REFUSED, at=TEN_TO),
                reply(PARENT, R, Decision.WITHDRAWN, at=TEN_TO),
            ),
            Decision.WITHDRAWN,
            id="withdrawal-outranks-refusal",
        ),
    ],
)
def test_simultaneous_emails_are_read_most_restrictive_first(
    simultaneous: tuple[ConsentRecord, ...], expected: Decision
) -> None:
    latest = latest_pre_start_decision(meeting([PARENT], *simultaneous), PARENT.id, R)

    assert latest is not None
    assert latest.decision is expected


def test_an_untrustworthy_given_outranks_a_genuine_one_at_the_same_instant() -> None:
    facts = meeting(
        [PARENT],
        reply(PARENT, R, at=TEN_TO),
        reply(PARENT, R, at=TEN_TO, auth=AuthVerdict.FAIL),
    )

    latest = latest_pre_start_decision(facts, PARENT.id, R)

    assert latest is not None
    assert not latest.trustworthy


def test_an_email_arriving_exactly_at_the_start_is_late() -> None:
    facts = meeting([PARENT], reply(PARENT, R, at=minutes_after(0)))

    assert latest_pre_start_decision(facts, PARENT.id, R) is None
    assert replied_after_start(facts, PARENT.id, R)


def test_only_refusals_and_withdrawals_after_the_start_are_objections() -> None:
    facts = meeting(
        [PARENT],
        reply(PARENT, R, Decision.REFUSED, at=minutes_after(1)),
        reply(PARENT, R, at=minutes_after(2)),
    )

    objection = latest_objection_after_start(facts, PARENT.id, R)

    assert objection is not None
    assert objection.decision is Decision.REFUSED


@given(meeting_facts(), st.sampled_from(ATTENDEE_IDS), st.sampled_from(Topic))
def test_the_last_word_is_from_before_the_start_and_nothing_later_before_it(
    facts: MeetingFacts, attendee_id: str, topic: Topic
) -> None:
    before_start = [
        r
        for r in facts.decisions
        if r.attendee_id == attendee_id
        and r.topic is topic
        and r.received_at < real_start_of(facts)
    ]

    latest = latest_pre_start_decision(facts, attendee_id, topic)

    if latest is None:
        assert before_start == []
    else:
        assert latest.received_at == max(r.received_at for r in before_start)
        assert (latest.attendee_id, latest.topic) == (attendee_id, topic)
