"""Legal requests: an extract goes to the officer only with the service user's clear,
trustworthy permission, or for safeguarding; a no stops it; anything unclear is read by a
person.

Policy: the service manager "may, with the permission of the child, young person, or parent
carer, direct that the relevant information be extracted from the file and sent to the
relevant officer, with a copy to the parent carers."
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.policy.legal_permission import (
    Answer,
    NotRecordable,
    Reading,
    RequestStatus,
    ReviewReason,
    Step,
    confirmed_step,
    may_override,
    may_send,
    read_answer,
    step_for,
)
from domain.terms import AuthVerdict, Decision, Topic

S = RequestStatus
EVERY_TOPIC = tuple(Topic)
YES = dict.fromkeys(EVERY_TOPIC, Decision.GIVEN)
NO = dict.fromkeys(EVERY_TOPIC, Decision.REFUSED)
WITHDRAWN = dict.fromkeys(EVERY_TOPIC, Decision.WITHDRAWN)
PASS = AuthVerdict.PASS


@pytest.mark.parametrize(
    ("findings", "needs_review", "auth", "invited", "expected"),
    [
        (YES, False, PASS, True, Answer(Reading.GIVEN)),
        (NO, False, PASS, True, Answer(Reading.REFUSED)),
        (WITHDRAWN, False, PASS, True, Answer(Reading.REFUSED)),
        (NO, False, AuthVerdict.FAIL, True, Answer(Reading.REFUSED)),
        ({Topic.DOCUMENTS: Decision.REFUSED}, False, PASS, True, Answer(Reading.REFUSED)),
        (
            YES,
            False,
            AuthVerdict.FAIL,
            True,
            Answer(Reading.UNCLEAR, ReviewReason.NOT_AUTHENTICATED),
        ),
        (
            YES,
            False,
            AuthVerdict.NONE,
            True,
            Answer(Reading.UNCLEAR, ReviewReason.NOT_AUTHENTICATED),
        ),
        (YES, False, PASS, False, Answer(Reading.UNCLEAR, ReviewReason.UNKNOWN_SENDER)),
        (NO, False, PASS, False, Answer(Reading.UNCLEAR, ReviewReason.UNKNOWN_SENDER)),
        ({}, True, PASS, True, Answer(Reading.UNCLEAR, ReviewReason.NOT_UNDERSTOOD)),
        ({}, False, PASS, True, Answer(Reading.UNCLEAR, ReviewReason.NOT_UNDERSTOOD)),
        (NO, True, PASS, True, Answer(Reading.UNCLEAR, ReviewReason.NOT_UNDERSTOOD)),
        (
            {Topic.DOCUMENTS: Decision.GIVEN},
            False,
            PASS,
            True,
            Answer(Reading.UNCLEAR, ReviewReason.NOT_UNDERSTOOD),
        ),
        (
            {**YES, Topic.RECORDING: Decision.REFUSED},
            False,
            PASS,
            True,
            Answer(Reading.UNCLEAR, ReviewReason.NOT_UNDERSTOOD),
        ),
    ],
    ids=[
        "a blanket yes",
        "a blanket no",
        "a withdrawal",
        "a no that failed the sender check still stops it",
        "a no about one thing is a no",
        "a yes that failed the sender check",
        "a yes nobody checked",
        "a yes from another address",
        "a no from another address",
        "the reader wants a person",
        "no answer at all",
        "a no the reader is unsure of",
        "a yes about one thing",
        "a yes and a no",
    ],
)
def test_reading_an_answer(
    findings: dict[Topic, Decision],
    needs_review: bool,
    auth: AuthVerdict,
    invited: bool,
    expected: Answer,
) -> None:
    assert read_answer(findings, needs_review, auth, invited) == expected


GIVEN = Answer(Reading.GIVEN)
REFUSED = Answer(Reading.REFUSED)
UNCLEAR = Answer(Reading.UNCLEAR, ReviewReason.NOT_UNDERSTOOD)
NOT_AWAITING = Step(review_reason=ReviewReason.NOT_AWAITING)


@pytest.mark.parametrize(
    ("status", "answer", "expected"),
    [
        (S.PERMISSION_ASKED, GIVEN, Step(S.PERMISSION_GIVEN)),
        (S.PERMISSION_ASKED, REFUSED, Step(S.PERMISSION_REFUSED)),
        (S.PERMISSION_ASKED, UNCLEAR, Step(review_reason=ReviewReason.NOT_UNDERSTOOD)),
        (S.PERMISSION_GIVEN, REFUSED, Step(S.PERMISSION_REFUSED)),
        (S.PERMISSION_GIVEN, GIVEN, Step()),
        (S.EXTRACT_SENT, GIVEN, Step()),
        (S.PERMISSION_REFUSED, REFUSED, Step()),
        (S.PERMISSION_REFUSED, GIVEN, NOT_AWAITING),
        (S.EXTRACT_SENT, REFUSED, NOT_AWAITING),
        (S.SAFEGUARDING, REFUSED, NOT_AWAITING),
        (S.LOGGED, GIVEN, NOT_AWAITING),
        (S.REFUSED_BY_MANAGER, GIVEN, NOT_AWAITING),
    ],
    ids=[
        "yes when asked: send",
        "no when asked: nothing is sent",
        "unclear when asked: a person reads it",
        "no after yes, before sending: it stops the send",
        "yes again: nothing new",
        "yes after sending: nothing new",
        "no again: nothing new",
        "yes after no: a person reads it",
        "no after sending: a person must tell them",
        "no after a safeguarding send: a person must tell them",
        "yes before anyone asked: a person reads it",
        "yes to a request the manager refused: a person reads it",
    ],
)
def test_what_an_answer_does(status: RequestStatus, answer: Answer, expected: Step) -> None:
    assert step_for(status, answer) == expected


@pytest.mark.parametrize(
    ("status", "agreed", "trustworthy", "expected"),
    [
        (S.PERMISSION_ASKED, True, True, Step(S.PERMISSION_GIVEN)),
        (S.PERMISSION_REFUSED, True, True, Step(S.PERMISSION_GIVEN)),
        (S.PERMISSION_ASKED, True, False, NotRecordable.NOT_TRUSTWORTHY),
        (S.PERMISSION_ASKED, False, False, Step(S.PERMISSION_REFUSED)),
        (S.PERMISSION_GIVEN, False, True, Step(S.PERMISSION_REFUSED)),
        (S.EXTRACT_SENT, False, True, NotRecordable.ALREADY_SENT),
        (S.SAFEGUARDING, True, True, NotRecordable.ALREADY_SENT),
        (S.LOGGED, True, True, NotRecordable.NOT_ASKED),
    ],
)
def test_what_the_managers_reading_does(
    status: RequestStatus, agreed: bool, trustworthy: bool, expected: Step | NotRecordable
) -> None:
    assert confirmed_step(status, agreed, trustworthy) == expected


def test_safeguarding_may_override_until_the_extract_is_sent() -> None:
    assert {s for s in S if may_override(s)} == {
        S.LOGGED,
        S.REFUSED_BY_MANAGER,
        S.PERMISSION_ASKED,
        S.PERMISSION_REFUSED,
    }
    assert {s for s in S if may_send(s)} == {S.PERMISSION_GIVEN, S.SAFEGUARDING}


findings = st.dictionaries(st.sampled_from(EVERY_TOPIC), st.sampled_from(tuple(Decision)))
answers = st.builds(
    read_answer,
    findings,
    st.booleans(),
    st.sampled_from(tuple(AuthVerdict)),
    st.booleans(),
)


@given(findings, st.booleans(), st.sampled_from(tuple(AuthVerdict)), st.booleans())
def test_only_a_clear_trustworthy_yes_gives_permission(
    found: dict[Topic, Decision], needs_review: bool, auth: AuthVerdict, invited: bool
) -> None:
    answer = read_answer(found, needs_review, auth, invited)
    if answer.reading is Reading.GIVEN:
        assert found == YES
        assert not needs_review
        assert auth is AuthVerdict.PASS
        assert invited
    assert (answer.reading is Reading.UNCLEAR) == (answer.review_reason is not None)


@given(st.sampled_from(tuple(S)), answers)
def test_nothing_is_sent_without_a_yes_and_a_no_never_sends(
    status: RequestStatus, answer: Answer
) -> None:
    step = step_for(status, answer)
    if step.sends_extract:
        assert answer.reading is Reading.GIVEN
        assert status is S.PERMISSION_ASKED
    if answer.reading is not Reading.GIVEN:
        assert step.status is None or not may_send(step.status)
    assert step.status is None or step.review_reason is None


@given(st.sampled_from(tuple(S)), st.booleans(), st.booleans())
def test_the_manager_cannot_make_an_untrustworthy_yes_count(
    status: RequestStatus, agreed: bool, trustworthy: bool
) -> None:
    step = confirmed_step(status, agreed, trustworthy)
    if isinstance(step, Step) and step.sends_extract:
        assert agreed
        assert trustworthy
        assert status in (S.PERMISSION_ASKED, S.PERMISSION_REFUSED)
    if isinstance(step, Step) and not agreed:
        assert step.status is None or not may_send(step.status)
