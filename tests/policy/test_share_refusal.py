"""The reason a meeting chat is given when a document may not be shared: one of three, naming
no one and telling no one's decision."""

from __future__ import annotations

import pytest

from bot.policy.blockers import Blocker, BlockerCode
from bot.policy.share_refusal import REASON_OF_CODE, RefusalReason, refusal_reason
from domain.terms import Topic

D = Topic.DOCUMENTS
CONSENT_CODES = (
    BlockerCode.NO_SERVICE_USER,
    BlockerCode.NO_REPLY,
    BlockerCode.LATE_REPLY,
    BlockerCode.REFUSED,
    BlockerCode.WITHDRAWN,
    BlockerCode.NOT_AUTHENTICATED,
    BlockerCode.SENDER_MISMATCH,
    BlockerCode.NOT_ASKED_ABOUT_DOCUMENT,
)


def test_every_blocker_has_a_reason() -> None:
    assert set(REASON_OF_CODE) == set(BlockerCode)


def test_nothing_blocking_gives_no_reason() -> None:
    assert refusal_reason(()) is None


@pytest.mark.parametrize("code", [BlockerCode.NOT_LISTED, BlockerCode.LISTED_AFTER_START])
def test_a_document_not_listed_in_time_was_not_proposed(code: BlockerCode) -> None:
    assert refusal_reason([Blocker(code, D)]) is RefusalReason.NOT_PROPOSED


@pytest.mark.parametrize("code", CONSENT_CODES)
def test_whatever_went_wrong_with_consent_the_chat_hears_not_agreed(code: BlockerCode) -> None:
    assert refusal_reason([Blocker(code, D, "parent-1")]) is RefusalReason.NOT_AGREED


@pytest.mark.parametrize(
    "code",
    [
        BlockerCode.RECORDING_NOT_REQUESTED,
        BlockerCode.NO_ATTENDEES,
        BlockerCode.UNKNOWN_PARTICIPANT_PRESENT,
    ],
)
def test_codes_other_gates_use_still_fail_closed(code: BlockerCode) -> None:
    assert refusal_reason([Blocker(code, D)]) is RefusalReason.NOT_AGREED


def test_the_most_telling_reason_is_given() -> None:
    refused = Blocker(BlockerCode.REFUSED, D, "parent-1")
    cancelled = Blocker(BlockerCode.MEETING_CANCELLED, D)
    unlisted = Blocker(BlockerCode.NOT_LISTED, D)
    assert refusal_reason([refused, cancelled]) is RefusalReason.MEETING_CANCELLED
    assert refusal_reason([refused, cancelled, unlisted]) is RefusalReason.NOT_PROPOSED
