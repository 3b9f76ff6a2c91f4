"""The real start: a meeting that starts early in Teams starts then, for every gate; once it has
started, recording may be switched off but never on.

Policy: consent "in the form of an email from all attendees prior to the meeting"; our own
request says "before the meeting starts". Meetings often start early.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.policy.blockers import BlockerCode
from bot.policy.consent_history import latest_pre_start_decision
from bot.policy.recording_gate import (
    SWITCH_ON_MARGIN,
    closes_for_good,
    evaluate_recording,
    recording_target,
    starting,
)
from bot.policy.share_gate import evaluate_share
from domain.terms import MeetingFacts, Topic

from .builders import (
    EHCP_DRAFT,
    PARENT,
    SENCO,
    STAFF,
    listed,
    meeting,
    meeting_facts,
    minutes_after,
    minutes_before,
    reply,
    summarise,
)

R = Topic.RECORDING
D = Topic.DOCUMENTS
EVERYONE = (PARENT, STAFF, SENCO)
STARTED_AN_HOUR_EARLY = minutes_before(60)


def consented_meeting(*, at: int = 24 * 60) -> MeetingFacts:
    """Everyone consented to recording `at` minutes before the scheduled start."""
    return meeting(EVERYONE, *(reply(a, R, at=minutes_before(at)) for a in EVERYONE))


def test_a_reply_after_an_early_start_is_late_although_before_the_scheduled_start() -> None:
    facts = replace(consented_meeting(at=30), started_at=STARTED_AN_HOUR_EARLY)

    verdict = evaluate_recording(facts)

    assert summarise(verdict.blockers) == [(BlockerCode.LATE_REPLY, a.id) for a in EVERYONE]
    assert latest_pre_start_decision(facts, PARENT.id, R) is None


def test_consent_before_an_early_start_still_counts() -> None:
    facts = replace(consented_meeting(at=90), started_at=STARTED_AN_HOUR_EARLY)

    assert evaluate_recording(facts).permitted


def test_a_start_seen_after_the_scheduled_one_does_not_move_the_cut_off_later() -> None:
    facts = replace(meeting(EVERYONE), started_at=minutes_after(10))

    assert facts.cutoff == facts.starts_at


def test_a_document_listed_after_an_early_start_is_listed_after_the_start() -> None:
    facts = replace(
        meeting(
            (PARENT, STAFF),
            reply(PARENT, D, at=minutes_before(120), documents=[EHCP_DRAFT]),
            documents=[listed(EHCP_DRAFT, at=minutes_before(30))],
        ),
        started_at=STARTED_AN_HOUR_EARLY,
    )

    assert summarise(evaluate_share(facts, EHCP_DRAFT).blockers) == [
        (BlockerCode.LISTED_AFTER_START, None)
    ]


def test_recording_closed_since_the_start_stays_closed_with_everyone_consenting() -> None:
    facts = replace(
        consented_meeting(), started_at=minutes_before(5), recording_closed_since_start=True
    )

    assert summarise(evaluate_recording(facts).blockers) == [(BlockerCode.CLOSED_SINCE_START, None)]


@pytest.mark.parametrize(
    ("started", "permitted", "teams_allows", "already_closed", "closes"),
    [
        (False, False, False, False, False),
        (False, True, None, False, False),
        (True, True, True, False, False),
        (True, False, True, False, True),
        (True, True, False, False, True),
        (True, True, None, False, True),
        (True, False, False, True, False),
    ],
)
def test_the_gate_closes_for_good_once_started_and_not_permitted_or_not_on_in_teams(
    started: bool, permitted: bool, teams_allows: bool | None, already_closed: bool, closes: bool
) -> None:
    facts = replace(
        consented_meeting() if permitted else meeting(EVERYONE),
        started_at=minutes_before(1) if started else None,
        recording_closed_since_start=already_closed,
    )
    verdict = evaluate_recording(facts)

    assert closes_for_good(facts, verdict, teams_allows) is closes


@pytest.mark.parametrize(
    ("permitted", "started", "teams_allows"),
    list(product([True, False], [True, False], [True, False, None])),
)
def test_recording_is_switched_on_only_before_the_start_and_off_whenever_not_permitted(
    permitted: bool, started: bool, teams_allows: bool | None
) -> None:
    target = recording_target(permitted=permitted, started=started, teams_allows=teams_allows)

    if not permitted:
        assert target is (None if teams_allows is False else False)
    elif started:
        assert target is None
    else:
        assert target is (None if teams_allows is True else True)


@given(meeting_facts(), st.sampled_from([True, False, None]))
def test_after_the_start_the_setting_never_goes_on(
    facts: MeetingFacts, teams_allows: bool | None
) -> None:
    verdict = evaluate_recording(facts)
    target = recording_target(
        permitted=verdict.permitted, started=facts.has_started, teams_allows=teams_allows
    )

    if facts.has_started:
        assert target is not True
    if target is True:
        assert verdict.permitted


@given(meeting_facts(), st.sampled_from([True, False, None]))
def test_once_closed_for_good_no_later_evaluation_permits_recording(
    facts: MeetingFacts, teams_allows: bool | None
) -> None:
    if closes_for_good(facts, evaluate_recording(facts), teams_allows):
        closed = replace(facts, recording_closed_since_start=True)
        assert not evaluate_recording(closed).permitted
        assert not evaluate_recording(replace(closed, present=())).permitted


def test_sight_lost_since_the_start_keeps_recording_off_with_everyone_consenting() -> None:
    facts = replace(consented_meeting(), started_at=minutes_before(5), sight_lost_since_start=True)

    verdict = evaluate_recording(facts)

    assert summarise(verdict.blockers) == [(BlockerCode.SIGHT_LOST, None)]
    assert closes_for_good(facts, verdict, teams_allows=True)


@pytest.mark.parametrize(
    ("seconds_before_start", "too_soon"),
    [(3600, False), (16, False), (15, True), (1, True), (-60, True)],
)
def test_recording_is_switched_on_only_while_the_start_is_far_enough_off(
    seconds_before_start: int, too_soon: bool
) -> None:
    facts = consented_meeting()
    now = facts.starts_at - timedelta(seconds=seconds_before_start)

    assert timedelta(seconds=15) == SWITCH_ON_MARGIN
    assert starting(facts, now) is too_soon


def test_a_meeting_seen_starting_early_is_starting_whatever_the_clock_says() -> None:
    facts = replace(consented_meeting(), started_at=minutes_before(5))

    assert starting(facts, facts.starts_at - timedelta(days=1))
