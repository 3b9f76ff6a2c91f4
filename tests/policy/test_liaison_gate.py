"""The liaison rule: staff liaise with a named professional only with service users' permission.

Policy: "Only with service user's permission will the team liaise with SEND officers and other
professionals", and "only with service users' permission will the team request access to
information held by SEND officers or pass on information to SEND officers."
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.policy.blockers import BlockerCode
from bot.policy.liaison_gate import count_liaison, evaluate_liaison
from domain.terms import (
    Attendee,
    AuthVerdict,
    ConsentRecord,
    Decision,
    LiaisonFacts,
    NamedOrganisation,
    Topic,
)

from .builders import (
    PARENT,
    SENCO,
    STAFF,
    TWO_DAYS_BEFORE,
    UNINVITED_ID,
    YOUNG_PERSON,
    attendee_lists,
    auth_verdicts,
    minutes_after,
    minutes_before,
    summarise,
)

L = Topic.LIAISON
SEND_OFFICER = "org-send-officer"
SCHOOL = "org-school"
BOTH = (SEND_OFFICER, SCHOOL)
AN_HOUR_BEFORE = minutes_before(60)
NOW = minutes_after(60 * 24)
"""The moment staff want to liaise: a day after the meeting."""


def said(
    attendee: Attendee,
    decision: Decision = Decision.GIVEN,
    *,
    at: datetime = AN_HOUR_BEFORE,
    organisations: tuple[str, ...] = BOTH,
    auth: AuthVerdict = AuthVerdict.PASS,
    sender_matches: bool = True,
) -> ConsentRecord:
    return ConsentRecord(
        attendee_id=attendee.id,
        topic=L,
        decision=decision,
        received_at=at,
        auth=auth,
        sender_matches=sender_matches,
        organisations_covered=frozenset(organisations),
    )


def matter(attendees: tuple[Attendee, ...], *records: ConsentRecord) -> LiaisonFacts:
    return LiaisonFacts(
        attendees=attendees,
        organisations=tuple(NamedOrganisation(o, TWO_DAYS_BEFORE) for o in BOTH),
        decisions=records,
    )


FAMILY = (PARENT, STAFF, SENCO)
BOTH_FAMILY = (PARENT, YOUNG_PERSON, STAFF)


@pytest.mark.parametrize(
    ("facts", "organisation", "expected"),
    [
        pytest.param(matter(FAMILY, said(PARENT)), SEND_OFFICER, [], id="parent-agreed"),
        pytest.param(
            matter(FAMILY),
            SEND_OFFICER,
            [(BlockerCode.NO_REPLY, PARENT.id)],
            id="parent-never-replied",
        ),
        pytest.param(
            matter(FAMILY, said(PARENT, at=NOW)),
            SEND_OFFICER,
            [(BlockerCode.NO_REPLY, PARENT.id)],
            id="agreement-at-the-moment-of-liaison-is-too-late",
        ),
        pytest.param(
            matter(FAMILY, said(PARENT, at=minutes_after(60))),
            SEND_OFFICER,
            [],
            id="agreement-after-the-meeting-counts-for-later-liaison",
        ),
        pytest.param(
            matter(FAMILY, said(PARENT), said(PARENT, Decision.WITHDRAWN, at=minutes_after(90))),
            SEND_OFFICER,
            [(BlockerCode.WITHDRAWN, PARENT.id)],
            id="withdrawal-ends-it",
        ),
        pytest.param(
            matter(
                FAMILY,
                said(PARENT),
                said(PARENT, Decision.WITHDRAWN, at=minutes_after(90), organisations=()),
            ),
            SCHOOL,
            [(BlockerCode.WITHDRAWN, PARENT.id)],
            id="withdrawal-naming-no-one-ends-it-for-everyone",
        ),
        pytest.param(
            matter(
                FAMILY,
                said(PARENT),
                said(PARENT, Decision.REFUSED, at=minutes_after(90), organisations=(SCHOOL,)),
            ),
            SEND_OFFICER,
            [],
            id="refusing-the-school-leaves-the-officer",
        ),
        pytest.param(
            matter(FAMILY, said(PARENT, Decision.REFUSED), said(PARENT, at=minutes_after(5))),
            SEND_OFFICER,
            [],
            id="a-later-yes-replaces-a-refusal",
        ),
        pytest.param(
            matter(FAMILY, said(PARENT, sender_matches=False)),
            SEND_OFFICER,
            [(BlockerCode.SENDER_MISMATCH, PARENT.id)],
            id="only-from-the-invited-address",
        ),
        pytest.param(
            matter(FAMILY, said(PARENT, auth=AuthVerdict.FAIL)),
            SEND_OFFICER,
            [(BlockerCode.NOT_AUTHENTICATED, PARENT.id)],
            id="unauthenticated-yes",
        ),
        pytest.param(
            matter(FAMILY, said(PARENT, organisations=(SCHOOL,))),
            SEND_OFFICER,
            [(BlockerCode.NO_REPLY, PARENT.id)],
            id="asked-only-about-the-school",
        ),
        pytest.param(
            matter(FAMILY, said(PARENT, organisations=())),
            SEND_OFFICER,
            [(BlockerCode.NOT_ASKED_ABOUT_ORGANISATION, PARENT.id)],
            id="a-yes-naming-no-one-permits-no-one",
        ),
        pytest.param(
            matter(FAMILY, said(PARENT), said(PARENT, Decision.REFUSED)),
            SEND_OFFICER,
            [(BlockerCode.REFUSED, PARENT.id)],
            id="simultaneous-yes-and-no-read-as-no",
        ),
        pytest.param(
            matter(BOTH_FAMILY, said(PARENT)),
            SEND_OFFICER,
            [(BlockerCode.NO_REPLY, YOUNG_PERSON.id)],
            id="every-service-user-must-agree",
        ),
        pytest.param(
            matter((STAFF, SENCO), said(STAFF)),
            SEND_OFFICER,
            [(BlockerCode.NO_SERVICE_USER, None)],
            id="no-service-user-to-ask",
        ),
        pytest.param(
            matter(FAMILY, said(PARENT, organisations=("org-other",))),
            "org-other",
            [
                (BlockerCode.ORGANISATION_NOT_NAMED, None),
            ],
            id="organisation-never-named",
        ),
    ],
)
def test_liaison_examples(
    facts: LiaisonFacts, organisation: str, expected: list[tuple[BlockerCode, str | None]]
) -> None:
    assert summarise(evaluate_liaison(facts, organisation, NOW).blockers) == expected


def test_an_organisation_named_after_the_moment_is_not_yet_named() -> None:
    facts = replace(
        matter(FAMILY, said(PARENT)),
        organisations=(NamedOrganisation(SEND_OFFICER, NOW + timedelta(seconds=1)),),
    )
    assert summarise(evaluate_liaison(facts, SEND_OFFICER, NOW).blockers) == [
        (BlockerCode.ORGANISATION_NOT_NAMED, None)
    ]


def test_the_chat_count_says_how_many_named_organisations_are_permitted() -> None:
    facts = matter(
        FAMILY,
        said(PARENT),
        said(PARENT, Decision.WITHDRAWN, at=minutes_after(5), organisations=(SCHOOL,)),
    )
    count = count_liaison(facts, NOW)
    assert (count.permitted, count.named) == (1, 2)


# Properties, against a reference reading written independently of the rule.

ORGANISATIONS = (SEND_OFFICER, SCHOOL, "org-health")
moments = st.integers(min_value=-3, max_value=3).map(lambda m: NOW + timedelta(minutes=m))


def _records(attendee_ids: st.SearchStrategy[str]) -> st.SearchStrategy[ConsentRecord]:
    return st.builds(
        ConsentRecord,
        attendee_id=attendee_ids,
        topic=st.sampled_from([L, L, L, Topic.DOCUMENTS]),
        decision=st.sampled_from([Decision.GIVEN] * 3 + [Decision.REFUSED, Decision.WITHDRAWN]),
        received_at=moments,
        auth=auth_verdicts,
        sender_matches=st.sampled_from([True, True, True, False]),
        organisations_covered=st.one_of(
            st.just(frozenset(ORGANISATIONS)), st.frozensets(st.sampled_from(ORGANISATIONS))
        ),
    )


@st.composite
def liaison_facts(draw: st.DrawFn) -> LiaisonFacts:
    attendees = tuple(draw(attendee_lists))
    owners = st.sampled_from([*(a.id for a in attendees), UNINVITED_ID])
    named = draw(
        st.lists(
            st.builds(NamedOrganisation, id=st.sampled_from(ORGANISATIONS), named_at=moments),
            max_size=4,
        )
    )
    return LiaisonFacts(
        attendees=attendees,
        organisations=tuple(named),
        decisions=tuple(draw(st.lists(_records(owners), max_size=8))),
    )


def _reference_permits(facts: LiaisonFacts, organisation: str, at: datetime) -> bool:
    """Named by `at`; at least one service user; and for each, every email at their latest
    instant before `at` that concerns this organisation is a trustworthy yes that names it."""
    if not any(o.id == organisation and o.named_at <= at for o in facts.organisations):
        return False
    users = [a.id for a in facts.attendees if a.kind.is_service_user]
    if not users:
        return False
    for user in users:
        concerning = [
            r
            for r in facts.decisions
            if r.attendee_id == user
            and r.topic is L
            and r.received_at < at
            and (not r.organisations_covered or organisation in r.organisations_covered)
        ]
        if not concerning:
            return False
        latest_at = max(r.received_at for r in concerning)
        if not all(
            r.decision is Decision.GIVEN
            and r.auth is AuthVerdict.PASS
            and r.sender_matches
            and organisation in r.organisations_covered
            for r in concerning
            if r.received_at == latest_at
        ):
            return False
    return True


@given(liaison_facts(), st.sampled_from(ORGANISATIONS), moments)
def test_permitted_exactly_when_the_reference_reading_permits(
    facts: LiaisonFacts, organisation: str, at: datetime
) -> None:
    assert evaluate_liaison(facts, organisation, at).permitted == _reference_permits(
        facts, organisation, at
    )


@given(
    liaison_facts(),
    st.sampled_from(ORGANISATIONS),
    st.sampled_from([Decision.REFUSED, Decision.WITHDRAWN]),
)
def test_a_service_users_latest_refusal_or_withdrawal_ends_it(
    facts: LiaisonFacts, organisation: str, objection: Decision
) -> None:
    users = [a for a in facts.attendees if a.kind.is_service_user]
    for user in users:
        ended = replace(
            facts,
            decisions=(
                *facts.decisions,
                said(user, objection, at=NOW + timedelta(minutes=4), organisations=()),
            ),
        )
        later = NOW + timedelta(minutes=5)
        verdict = evaluate_liaison(ended, organisation, later)
        assert not verdict.permitted
        assert (BlockerCode(objection.value), user.id) in summarise(verdict.blockers)


@given(liaison_facts(), st.sampled_from(ORGANISATIONS), moments, _records(st.just(UNINVITED_ID)))
def test_emails_from_anyone_not_invited_change_nothing(
    facts: LiaisonFacts, organisation: str, at: datetime, stranger: ConsentRecord
) -> None:
    with_stranger = replace(facts, decisions=(*facts.decisions, stranger))
    assert evaluate_liaison(with_stranger, organisation, at) == evaluate_liaison(
        facts, organisation, at
    )


@given(liaison_facts(), st.sampled_from(ORGANISATIONS), moments)
def test_emails_from_the_moment_of_liaison_on_change_nothing(
    facts: LiaisonFacts, organisation: str, at: datetime
) -> None:
    earlier_only = replace(facts, decisions=tuple(r for r in facts.decisions if r.received_at < at))
    assert evaluate_liaison(earlier_only, organisation, at) == evaluate_liaison(
        facts, organisation, at
    )


@given(liaison_facts(), moments)
def test_the_count_never_exceeds_the_organisations_named(facts: LiaisonFacts, at: datetime) -> None:
    count = count_liaison(facts, at)
    assert 0 <= count.permitted <= count.named <= len(ORGANISATIONS)
