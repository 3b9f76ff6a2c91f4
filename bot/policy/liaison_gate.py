"""Whether staff may liaise with a named professional or organisation about a service user's
matter.

Policy: "Only with service user's permission will the team liaise with SEND officers and other
professionals", and "only with service users' permission will the team request access to
information held by SEND officers or pass on information to SEND officers."

Liaison is not tied to the meeting's start: it may happen before, during or after it. An
organisation counts as named from the moment staff name it. At the moment of liaison, every
invited service user's latest word on liaising with that organisation counts: a trustworthy
"given" (authenticated, from their invited address) that names it permits; a refusal or
withdrawal ends it, however it arrived (fail closed). A reply that names no organisation is a
word about all of them. Records received at the same instant are read fail-closed: the most
restrictive decision wins.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.policy.blockers import Blocker, BlockerCode
from domain.terms import (
    AuthVerdict,
    ConsentRecord,
    Decision,
    LiaisonFacts,
    Topic,
)

_RANK_OF_DECISION = {Decision.WITHDRAWN: 0, Decision.REFUSED: 1, Decision.GIVEN: 2}
_CODE_OF_OBJECTION = {
    Decision.REFUSED: BlockerCode.REFUSED,
    Decision.WITHDRAWN: BlockerCode.WITHDRAWN,
}


@dataclass(frozen=True, slots=True)
class LiaisonVerdict:
    """Every reason staff may not liaise with the organisation: naming first, then service users."""

    organisation_id: str
    blockers: tuple[Blocker, ...]

    @property
    def permitted(self) -> bool:
        return not self.blockers


def _concerns(record: ConsentRecord, organisation_id: str) -> bool:
    return not record.organisations_covered or organisation_id in record.organisations_covered


def _last_word(
    facts: LiaisonFacts, attendee_id: str, organisation_id: str, at: datetime
) -> ConsentRecord | None:
    records: Sequence[ConsentRecord] = [
        r
        for r in facts.decisions
        if r.attendee_id == attendee_id
        and r.topic is Topic.LIAISON
        and r.received_at < at
        and _concerns(r, organisation_id)
    ]
    if not records:
        return None
    latest_at = max(r.received_at for r in records)
    return min(
        (r for r in records if r.received_at == latest_at),
        key=lambda r: (
            _RANK_OF_DECISION[r.decision],
            r.auth is AuthVerdict.PASS,
            r.sender_matches,
            organisation_id in r.organisations_covered,
        ),
    )


def _codes_for(
    facts: LiaisonFacts, attendee_id: str, organisation_id: str, at: datetime
) -> tuple[BlockerCode, ...]:
    word = _last_word(facts, attendee_id, organisation_id, at)
    if word is None:
        return (BlockerCode.NO_REPLY,)
    if word.decision in _CODE_OF_OBJECTION:
        return (_CODE_OF_OBJECTION[word.decision],)
    return (
        *((BlockerCode.NOT_AUTHENTICATED,) if word.auth is not AuthVerdict.PASS else ()),
        *(() if word.sender_matches else (BlockerCode.SENDER_MISMATCH,)),
        *(
            ()
            if organisation_id in word.organisations_covered
            else (BlockerCode.NOT_ASKED_ABOUT_ORGANISATION,)
        ),
    )


def _naming_blockers(
    facts: LiaisonFacts, organisation_id: str, at: datetime
) -> tuple[Blocker, ...]:
    named = any(o.id == organisation_id and o.named_at <= at for o in facts.organisations)
    return () if named else (Blocker(BlockerCode.ORGANISATION_NOT_NAMED, Topic.LIAISON),)


def evaluate_liaison(facts: LiaisonFacts, organisation_id: str, at: datetime) -> LiaisonVerdict:
    """Decide whether staff may liaise with the organisation at `at`, listing every reason not."""
    users = tuple(a for a in facts.attendees if a.kind.is_service_user)
    service_user_blockers = (
        tuple(
            Blocker(code, Topic.LIAISON, user.id)
            for user in users
            for code in _codes_for(facts, user.id, organisation_id, at)
        )
        if users
        else (Blocker(BlockerCode.NO_SERVICE_USER, Topic.LIAISON),)
    )
    return LiaisonVerdict(
        organisation_id=organisation_id,
        blockers=(*_naming_blockers(facts, organisation_id, at), *service_user_blockers),
    )


@dataclass(frozen=True, slots=True)
class LiaisonCount:
    """How many of the named organisations staff may liaise with: what the chat may say."""

    permitted: int
    named: int


def count_liaison(facts: LiaisonFacts, at: datetime) -> LiaisonCount:
    """The number of named organisations staff may liaise with at `at`, out of those named."""
    named = sorted({o.id for o in facts.organisations if o.named_at <= at})
    permitted = sum(1 for o in named if evaluate_liaison(facts, o, at).permitted)
    return LiaisonCount(permitted=permitted, named=len(named))
