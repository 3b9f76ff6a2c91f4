"""Whether information may be sent to a local authority officer for legal reasons, and what a
service user's answer, or the manager's safeguarding reason, does to the request.

Policy: the service manager "may, with the permission of the child, young person, or parent
carer, direct that the relevant information be extracted from the file and sent to the
relevant officer, with a copy to the parent carers", and "the only exception to
confidentiality is regarding information, which leads the SEND IAS service to believe a child
or person is at risk".

Reading an answer, the careful way (never a guess):
- only a clear, blanket yes (every topic the reader knows given, nothing for a person to read)
  is a yes, and it counts only from the invited address with the sender check passed;
- any refusal or withdrawal with no yes beside it is a no, from wherever it came (saying no can
  only stop a send);
- everything else (a condition, a question, a yes about one thing, a yes and a no, no answer
  at all, a stranger's address, a failed sender check on a yes) is for a person to read.

What an answer does depends on where the request stands: a yes to a request awaiting an
answer has the extract sent; a no before the extract is sent stops it; a yes after a no, or a
no after the extract went, is for a person. Nothing is ever sent unless the request is
`PERMISSION_GIVEN` or `SAFEGUARDING` when the extract is made; unanswered, it waits for ever.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from domain.terms import AuthVerdict, Decision, Topic


class RequestStatus(StrEnum):
    """Where a legal request stands."""

    LOGGED = "logged"
    REFUSED_BY_MANAGER = "refused_by_manager"
    PERMISSION_ASKED = "permission_asked"
    PERMISSION_GIVEN = "permission_given"
    PERMISSION_REFUSED = "permission_refused"
    SAFEGUARDING = "safeguarding"
    EXTRACT_SENT = "extract_sent"


class Reading(StrEnum):
    """What an answer says about permission."""

    GIVEN = "given"
    REFUSED = "refused"
    UNCLEAR = "unclear"


class ReviewReason(StrEnum):
    """Why a person must read an answer (the review queue's reason codes)."""

    NOT_UNDERSTOOD = "not_clearly_understood"
    UNKNOWN_SENDER = "sender_not_invited"
    NOT_AUTHENTICATED = "legal_answer_not_authenticated"
    NOT_AWAITING = "legal_request_not_awaiting_answer"


@dataclass(frozen=True, slots=True)
class Answer:
    """An answer read: what it says, and why a person must read it when it is unclear."""

    reading: Reading
    review_reason: ReviewReason | None = None


def read_answer(
    findings: Mapping[Topic, Decision],
    needs_review: bool,
    auth: AuthVerdict,
    from_invited_address: bool,
) -> Answer:
    """The answer in a reply to the request for permission, from the reply's reading per
    topic (`findings`) and whether the reader wants a person to read it."""
    decisions = set(findings.values())
    if not from_invited_address:
        return Answer(Reading.UNCLEAR, ReviewReason.UNKNOWN_SENDER)
    if needs_review or not decisions:
        return Answer(Reading.UNCLEAR, ReviewReason.NOT_UNDERSTOOD)
    if Decision.GIVEN not in decisions:
        return Answer(Reading.REFUSED)
    if decisions != {Decision.GIVEN} or set(findings) != set(Topic):
        return Answer(Reading.UNCLEAR, ReviewReason.NOT_UNDERSTOOD)
    if auth is not AuthVerdict.PASS:
        return Answer(Reading.UNCLEAR, ReviewReason.NOT_AUTHENTICATED)
    return Answer(Reading.GIVEN)


@dataclass(frozen=True, slots=True)
class Step:
    """What an answer does: the request's new status (None: unchanged), whether the extract
    is to be sent now, and why a person must read the answer instead (None: no one need)."""

    status: RequestStatus | None = None
    review_reason: ReviewReason | None = None

    @property
    def sends_extract(self) -> bool:
        return self.status is RequestStatus.PERMISSION_GIVEN


AWAITING_ANSWER = frozenset({RequestStatus.PERMISSION_ASKED})
NOT_YET_SENT = frozenset({RequestStatus.PERMISSION_ASKED, RequestStatus.PERMISSION_GIVEN})
SENDING_OR_SENT = frozenset(
    {RequestStatus.PERMISSION_GIVEN, RequestStatus.SAFEGUARDING, RequestStatus.EXTRACT_SENT}
)


def step_for(status: RequestStatus, answer: Answer) -> Step:
    """What the answer, read by the bot, does to a request in `status`."""
    if answer.reading is Reading.UNCLEAR:
        return Step(review_reason=answer.review_reason)
    if answer.reading is Reading.GIVEN:
        if status in AWAITING_ANSWER:
            return Step(RequestStatus.PERMISSION_GIVEN)
        if status in SENDING_OR_SENT:
            return Step()
        return Step(review_reason=ReviewReason.NOT_AWAITING)
    if status in NOT_YET_SENT:
        return Step(RequestStatus.PERMISSION_REFUSED)
    if status is RequestStatus.PERMISSION_REFUSED:
        return Step()
    return Step(review_reason=ReviewReason.NOT_AWAITING)


class NotRecordable(StrEnum):
    """Why the manager cannot record an answer read from an email as they chose."""

    NOT_TRUSTWORTHY = "not_trustworthy"
    ALREADY_SENT = "already_sent"
    NOT_ASKED = "not_asked"


def confirmed_step(status: RequestStatus, agreed: bool, trustworthy: bool) -> Step | NotRecordable:
    """The manager's reading of an answer a person had to read (`agreed`: they gave
    permission; otherwise they refused it): a yes counts only from an email that passed the
    sender check and came from the invited address, and only while nothing has been sent; a
    no stops a send not yet made."""
    if status in (RequestStatus.LOGGED, RequestStatus.REFUSED_BY_MANAGER):
        return NotRecordable.NOT_ASKED
    if agreed:
        if status in (RequestStatus.SAFEGUARDING, RequestStatus.EXTRACT_SENT):
            return NotRecordable.ALREADY_SENT
        if not trustworthy:
            return NotRecordable.NOT_TRUSTWORTHY
        if status is RequestStatus.PERMISSION_GIVEN:
            return Step()
        return Step(RequestStatus.PERMISSION_GIVEN)
    if status in NOT_YET_SENT:
        return Step(RequestStatus.PERMISSION_REFUSED)
    if status is RequestStatus.PERMISSION_REFUSED:
        return Step()
    return NotRecordable.ALREADY_SENT


OVERRIDABLE = frozenset(
    {
        RequestStatus.LOGGED,
        RequestStatus.REFUSED_BY_MANAGER,
        RequestStatus.PERMISSION_ASKED,
        RequestStatus.PERMISSION_REFUSED,
    }
)


def may_override(status: RequestStatus) -> bool:
    """Whether the manager may still record a safeguarding reason to send without
    permission: not once the extract is being sent or was sent."""
    return status in OVERRIDABLE


def may_send(status: RequestStatus) -> bool:
    """Whether the extract may be sent now: with permission, or for safeguarding."""
    return status in (RequestStatus.PERMISSION_GIVEN, RequestStatus.SAFEGUARDING)


class NotAskable(StrEnum):
    """Why the service user cannot be asked permission for a request: the email must say who
    asked, why, and what would be sent, from information still held, to an address still
    kept."""

    REQUEST_DISPOSED = "request_disposed"
    MEETINGS_DISPOSED = "meetings_disposed"
    ADDRESS_NOT_KEPT = "address_not_kept"


def why_not_askable(
    *, request_disposed: bool, meetings_disposed: int, address_kept: bool
) -> NotAskable | None:
    """Why permission cannot be asked for a request (None: it can): not once its personal
    details went with the last of its meetings under the retention schedule, nor while any
    meeting it names was disposed of (what would be sent is no longer what the request
    named), nor without the service user's name and address."""
    if request_disposed:
        return NotAskable.REQUEST_DISPOSED
    if meetings_disposed:
        return NotAskable.MEETINGS_DISPOSED
    if not address_kept:
        return NotAskable.ADDRESS_NOT_KEPT
    return None
