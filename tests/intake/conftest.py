"""Corpus helpers for the intake tests, and the corpus headline numbers in the test summary."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from bot.intake import ConsentReply, classify_email
from domain.terms import AuthVerdict, Decision, Topic

CORPUS = Path(__file__).parent / "corpus"
AUTHENTICATED = {AuthVerdict.PASS: True, AuthVerdict.FAIL: False, AuthVerdict.NONE: None}


@dataclass(frozen=True)
class CorpusStats:
    files: int
    false_given: list[str]
    sent_to_review: int
    clear_sent_to_review: list[str]

    @property
    def review_rate(self) -> float:
        return self.sent_to_review / self.files


@cache
def expectations() -> dict[str, dict[str, Any]]:
    loaded: dict[str, dict[str, Any]] = json.loads((CORPUS / "expected.json").read_text())
    return loaded


def observed(name: str) -> dict[str, Any]:
    """What the classifier makes of one corpus file, in the shape of expected.json."""
    result = classify_email((CORPUS / name).read_bytes())
    assert isinstance(result, ConsentReply), result
    seen: dict[str, Any] = {}
    for topic in Topic:
        decision = result.classification.decision(topic)
        seen[topic.value] = decision.value if decision else None
    seen["needs_review"] = result.classification.needs_review
    seen["authenticated"] = AUTHENTICATED[result.authenticated]
    seen["reference"] = result.reference
    seen["auto_reply"] = result.auto_reply
    return seen


@cache
def corpus_stats() -> CorpusStats:
    false_given: list[str] = []
    clear_sent_to_review: list[str] = []
    reviewed = 0
    for name, expected in sorted(expectations().items()):
        seen = observed(name)
        for topic in Topic:
            if seen[topic.value] == Decision.GIVEN and expected[topic.value] != Decision.GIVEN:
                false_given.append(f"{name}: {topic.value}")
        reviewed += seen["needs_review"]
        if seen["needs_review"] and not expected["needs_review"]:
            clear_sent_to_review.append(name)
    return CorpusStats(len(expectations()), false_given, reviewed, clear_sent_to_review)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not corpus_stats.cache_info().currsize:
        return
    stats = corpus_stats()
    terminalreporter.write_line(
        f"intake corpus: {stats.files} replies, {len(stats.false_given)} false given, "
        f"{stats.sent_to_review} sent to review ({stats.review_rate:.0%}), "
        f"{len(stats.clear_sent_to_review)} clear replies sent to review"
    )
