"""Why a document may not be shared, in the few words a meeting chat may hear.

Everyone in the chat sees the reason, so it never names a person or says what anyone decided:
every missing, late, refused, withdrawn or untrustworthy consent is the one reason "not agreed".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Final

from bot.policy.blockers import Blocker, BlockerCode


class RefusalReason(StrEnum):
    """The reason the chat is given, most telling first."""

    NOT_PROPOSED = "not_proposed"
    MEETING_CANCELLED = "meeting_cancelled"
    NOT_AGREED = "not_agreed"


REASON_OF_CODE: Final[Mapping[BlockerCode, RefusalReason]] = {
    BlockerCode.NOT_LISTED: RefusalReason.NOT_PROPOSED,
    BlockerCode.LISTED_AFTER_START: RefusalReason.NOT_PROPOSED,
    BlockerCode.MEETING_CANCELLED: RefusalReason.MEETING_CANCELLED,
    BlockerCode.RECORDING_NOT_REQUESTED: RefusalReason.NOT_AGREED,
    BlockerCode.NO_ATTENDEES: RefusalReason.NOT_AGREED,
    BlockerCode.NO_SERVICE_USER: RefusalReason.NOT_AGREED,
    BlockerCode.NO_REPLY: RefusalReason.NOT_AGREED,
    BlockerCode.LATE_REPLY: RefusalReason.NOT_AGREED,
    BlockerCode.REFUSED: RefusalReason.NOT_AGREED,
    BlockerCode.WITHDRAWN: RefusalReason.NOT_AGREED,
    BlockerCode.NOT_AUTHENTICATED: RefusalReason.NOT_AGREED,
    BlockerCode.SENDER_MISMATCH: RefusalReason.NOT_AGREED,
    BlockerCode.NOT_ASKED_ABOUT_DOCUMENT: RefusalReason.NOT_AGREED,
    BlockerCode.UNKNOWN_PARTICIPANT_PRESENT: RefusalReason.NOT_AGREED,
    BlockerCode.CLOSED_SINCE_START: RefusalReason.NOT_AGREED,
    BlockerCode.SIGHT_LOST: RefusalReason.NOT_AGREED,
    BlockerCode.ORGANISATION_NOT_NAMED: RefusalReason.NOT_AGREED,
    BlockerCode.NOT_ASKED_ABOUT_ORGANISATION: RefusalReason.NOT_AGREED,
}

_PRECEDENCE: Final = tuple(RefusalReason)


def refusal_reason(blockers: Iterable[Blocker]) -> RefusalReason | None:
    """The reason to give for these blockers (None when there are none: sharing is permitted)."""
    reasons = {REASON_OF_CODE[blocker.code] for blocker in blockers}
    return next((reason for reason in _PRECEDENCE if reason in reasons), None)
