"""The role statement: "contribute" is stated only with every service user's prior agreement.

Policy: staff attend "to support an individual, and/or to contribute to discussions with prior
agreement of service user".
"""

from __future__ import annotations

import pytest
from hypothesis import given

from bot.policy.blockers import BlockerCode
from bot.policy.role_statement import decide_role
from domain.terms import AuthVerdict, Decision, DeclaredRole, MeetingFacts, Topic

from .builders import (
    PARENT,
    SENCO,
    STAFF,
    YOUNG_PERSON,
    consent_stands,
    meeting,
    meeting_facts,
    minutes_after,
    minutes_before,
    reply,
    service_user_ids,
    summarise,
)

C = Topic.CONTRIBUTION
SUPPORT = DeclaredRole.SUPPORT
CONTRIBUTE = DeclaredRole.SUPPORT_AND_CONTRIBUTE
FAMILY = (PARENT, YOUNG_PERSON, STAFF, SENCO)


@pytest.mark.parametrize(
    ("facts", "effective", "expected"),
    [
        pytest.param(
            meeting(FAMILY, reply(PARENT, C), reply(YOUNG_PERSON, C), declared_role=CONTRIBUTE),
            CONTRIBUTE,
            [],
            id="both-service-users-agreed-professional-not-asked",
        ),
        pytest.param(
            meeting(
                FAMILY,
                reply(PARENT, C),
                reply(YOUNG_PERSON, C, Decision.REFUSED),
                declared_role=CONTRIBUTE,
            ),
            SUPPORT,
            [(BlockerCode.REFUSED, YOUNG_PERSON.id)],
            id="one-of-two-service-users-refused",
        ),
        pytest.param(
            meeting(FAMILY, reply(PARENT, C), declared_role=CONTRIBUTE),
            SUPPORT,
            [(BlockerCode.NO_REPLY, YOUNG_PERSON.id)],
            id="young-person-never-replied",
        ),
        pytest.param(
            meeting(
                FAMILY,
                reply(PARENT, C, at=minutes_after(1)),
                reply(YOUNG_PERSON, C, auth=AuthVerdict.FAIL),
                declared_role=CONTRIBUTE,
            ),
            SUPPORT,
            [
                (BlockerCode.LATE_REPLY, PARENT.id),
                (BlockerCode.NOT_AUTHENTICATED, YOUNG_PERSON.id),
            ],
            id="late-and-unauthenticated-both-reported",
        ),
        pytest.param(
            meeting(
                FAMILY,
                reply(PARENT, C, sender_matches=False),
                reply(YOUNG_PERSON, C),
                reply(YOUNG_PERSON, C, Decision.WITHDRAWN, at=minutes_before(1)),
                declared_role=CONTRIBUTE,
            ),
            SUPPORT,
            [
                (BlockerCode.SENDER_MISMATCH, PARENT.id),
                (BlockerCode.WITHDRAWN, YOUNG_PERSON.id),
            ],
            id="another-address-and-withdrawn",
        ),
        pytest.param(
            meeting(
                FAMILY,
                reply(PARENT, Topic.RECORDING),
                reply(YOUNG_PERSON, C),
                declared_role=CONTRIBUTE,
            ),
            SUPPORT,
            [(BlockerCode.NO_REPLY, PARENT.id)],
            id="consent-to-recording-is-not-agreement-to-contribute",
        ),
        pytest.param(
            meeting((STAFF, SENCO), reply(SENCO, C), declared_role=CONTRIBUTE),
            SUPPORT,
            [(BlockerCode.NO_SERVICE_USER, None)],
            id="no-service-users",
        ),
        pytest.param(
            meeting(FAMILY, reply(PARENT, C, Decision.REFUSED), declared_role=SUPPORT),
            SUPPORT,
            [],
            id="declared-support-needs-no-agreement",
        ),
    ],
)
def test_role_examples(
    facts: MeetingFacts, effective: DeclaredRole, expected: list[tuple[BlockerCode, str | None]]
) -> None:
    statement = decide_role(facts)

    assert statement.declared is facts.declared_role
    assert statement.effective is effective
    assert summarise(statement.reasons) == expected
    assert all(b.topic is C for b in statement.reasons)


@given(meeting_facts())
def test_contribute_is_stated_exactly_when_declared_and_every_service_user_agreed(
    facts: MeetingFacts,
) -> None:
    users = service_user_ids(facts)
    every_user_agreed = all(consent_stands(facts, u, C) for u in users)

    assert (decide_role(facts).effective is CONTRIBUTE) is (
        facts.declared_role is CONTRIBUTE and bool(users) and every_user_agreed
    )


@given(meeting_facts())
def test_a_stated_role_differing_from_the_declared_one_is_explained_per_service_user(
    facts: MeetingFacts,
) -> None:
    statement = decide_role(facts)

    if statement.effective is statement.declared:
        assert statement.reasons == ()
    else:
        named = {b.attendee_id for b in statement.reasons} - {None}
        assert named == {u for u in service_user_ids(facts) if not consent_stands(facts, u, C)}
