"""Which readings of a review item staff can confirm: a conditional agreement only as refused
or withdrawn, or as given with its condition written down; a condition only with agreement."""

from __future__ import annotations

import itertools

import pytest

from bot.services.review_queue import CONDITION_LIMIT, is_conditional, reading_refusal
from domain.terms import Decision, Topic

ANSWERS = (None, *Decision)


@pytest.mark.parametrize("conditional", [False, True])
@pytest.mark.parametrize("condition", [None, "Deleted after the review"])
def test_every_reading_of_two_topics(conditional: bool, condition: str | None) -> None:
    for first, second in itertools.product(ANSWERS, repeat=2):
        decisions = {
            topic: answer
            for topic, answer in ((Topic.RECORDING, first), (Topic.DOCUMENTS, second))
            if answer is not None
        }
        given = Decision.GIVEN in decisions.values()
        refusal = reading_refusal(conditional, decisions, condition)
        allowed = (given or condition is None) and not (conditional and given and not condition)
        assert (refusal is None) is allowed, (decisions, condition, refusal)


def test_a_condition_too_long_to_keep_is_refused_in_words() -> None:
    refusal = reading_refusal(True, {Topic.RECORDING: Decision.GIVEN}, "x" * (CONDITION_LIMIT + 1))
    assert refusal == f"Write the condition in {CONDITION_LIMIT} characters or fewer."
    assert reading_refusal(True, {Topic.RECORDING: Decision.GIVEN}, "x" * CONDITION_LIMIT) is None


@pytest.mark.parametrize(
    ("text", "conditional"),
    [
        ("Yes as long as the recording is only kept until the annual review is finished", True),
        ("Yes to recording, but only if it is deleted after a month", True),
        ("Yes to recording. Can I bring a friend?", False),
        ("Yes, I agree to everything.", False),
        (None, False),
        ("", False),
    ],
)
def test_a_reply_is_conditional_as_the_intake_reads_it(text: str | None, conditional: bool) -> None:
    assert is_conditional(text) is conditional
