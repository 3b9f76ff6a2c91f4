"""The reply corpus: every file read as expected, and the two headline numbers.

Headline numbers: no reply that does not give consent is read as consent (zero false
"given"), and no reply expected to be clear goes to a person. The review rate itself is
printed in the test summary.
"""

from __future__ import annotations

import pytest

from bot.intake import ConsentReply, classify_email
from tests.intake.conftest import CORPUS, corpus_stats, expectations, observed


def test_corpus_is_large_enough_and_fully_described() -> None:
    files = {path.name for path in CORPUS.glob("*.eml")}
    assert len(files) >= 80
    assert files == set(expectations())


@pytest.mark.parametrize("name", sorted(expectations()))
def test_reply_is_read_as_expected(name: str) -> None:
    assert observed(name) == expectations()[name]


def test_no_reply_is_wrongly_read_as_consent() -> None:
    assert corpus_stats().false_given == []


def test_no_clear_reply_goes_to_review() -> None:
    stats = corpus_stats()
    assert stats.clear_sent_to_review == []
    expected_reviews = sum(expected["needs_review"] for expected in expectations().values())
    assert stats.sent_to_review == expected_reviews


@pytest.mark.parametrize("name", sorted(expectations()))
def test_quoted_request_never_counts_as_the_senders_words(name: str) -> None:
    """Every reply quotes or forwards a request whose examples say "I agree to everything"."""
    result = classify_email((CORPUS / name).read_bytes())
    assert isinstance(result, ConsentReply)
    assert "I agree to everything" not in result.own_words
    assert "Reply to this email" not in result.own_words
