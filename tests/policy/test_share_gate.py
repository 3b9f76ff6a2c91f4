"""The share gate: a document is shared only with every service user's consent to that document.

Policy: staff "will request consent from service-users prior to the meeting before sharing any
documents at virtual meetings".
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.policy.blockers import BlockerCode
from bot.policy.share_gate import evaluate_share
from domain.terms import AuthVerdict, ConsentRecord, Decision, MeetingFacts, Topic

from .builders import (
    EHCP_DRAFT,
    PARENT,
    SCHOOL_REPORT,
    SENCO,
    STAFF,
    YOUNG_PERSON,
    consent_records,
    consent_to_document_stands,
    document_choices,
    late_read_as_no_reply,
    listed,
    meeting,
    meeting_facts,
    minutes_after,
    minutes_before,
    moments_before_start,
    objections,
    owner_of_a_reply,
    real_start_of,
    reply,
    service_user_ids,
    summarise,
    with_reply,
    without_late_replies,
)

D = Topic.DOCUMENTS
FAMILY_AND_SCHOOL = (PARENT, YOUNG_PERSON, STAFF, SENCO)
BOTH_DOCUMENTS = (EHCP_DRAFT, SCHOOL_REPORT)
LISTED = (listed(EHCP_DRAFT), listed(SCHOOL_REPORT))
PARENT_AGREES = reply(PARENT, D, documents=BOTH_DOCUMENTS)
YOUNG_PERSON_AGREES = reply(YOUNG_PERSON, D, documents=BOTH_DOCUMENTS)


def family_meeting(*replies: ConsentRecord, cancelled: bool = False) -> MeetingFacts:
    """Parent, young person, staff and SENCO; both documents listed two days ahead."""
    return meeting(FAMILY_AND_SCHOOL, *replies, documents=LISTED, cancelled=cancelled)


@pytest.mark.parametrize(
    ("facts", "document_id", "expected"),
    [
        pytest.param(
            family_meeting(PARENT_AGREES, YOUNG_PERSON_AGREES),
            EHCP_DRAFT,
            [],
            id="both-service-users-agreed-professionals-not-asked",
        ),
        pytest.param(
            meeting(
                FAMILY_AND_SCHOOL,
                PARENT_AGREES,
                YOUNG_PERSON_AGREES,
                documents=(listed(EHCP_DRAFT), listed(SCHOOL_REPORT, minutes_after(5))),
            ),
            SCHOOL_REPORT,
            [(BlockerCode.LISTED_AFTER_START, None)],
            id="document-listed-after-start",
        ),
        pytest.param(
            meeting(
                FAMILY_AND_SCHOOL,
                PARENT_AGREES,
                YOUNG_PERSON_AGREES,
                documents=(listed(EHCP_DRAFT, minutes_after(5)), listed(EHCP_DRAFT)),
            ),
            EHCP_DRAFT,
            [],
            id="listed-before-start-and-again-after",
        ),
        pytest.param(
            family_meeting(
                reply(PARENT, D, documents=[SCHOOL_REPORT]),
                YOUNG_PERSON_AGREES,
            ),
            EHCP_DRAFT,
            [(BlockerCode.NOT_ASKED_ABOUT_DOCUMENT, PARENT.id)],
            id="consent-covers-other-documents-only",
        ),
        pytest.param(
            family_meeting(PARENT_AGREES, YOUNG_PERSON_AGREES),
            None,
            [
                (BlockerCode.NOT_LISTED, None),
                (BlockerCode.NOT_ASKED_ABOUT_DOCUMENT, PARENT.id),
                (BlockerCode.NOT_ASKED_ABOUT_DOCUMENT, YOUNG_PERSON.id),
            ],
            id="file-matching-no-proposed-document",
        ),
        pytest.param(
            meeting(FAMILY_AND_SCHOOL, PARENT_AGREES, YOUNG_PERSON_AGREES),
            EHCP_DRAFT,
            [(BlockerCode.NOT_LISTED, None)],
            id="consented-document-never-listed",
        ),
        pytest.param(
            meeting((STAFF, SENCO), reply(SENCO, D, documents=BOTH_DOCUMENTS), documents=LISTED),
            EHCP_DRAFT,
            [(BlockerCode.NO_SERVICE_USER, None)],
            id="no-service-users",
        ),
        pytest.param(
            family_meeting(PARENT_AGREES),
            EHCP_DRAFT,
            [(BlockerCode.NO_REPLY, YOUNG_PERSON.id)],
            id="young-person-never-replied",
        ),
        pytest.param(
            family_meeting(
                PARENT_AGREES,
                reply(YOUNG_PERSON, D, at=minutes_after(2), documents=BOTH_DOCUMENTS),
            ),
            EHCP_DRAFT,
            [(BlockerCode.LATE_REPLY, YOUNG_PERSON.id)],
            id="young-person-replied-after-start",
        ),
        pytest.param(
            family_meeting(PARENT_AGREES, reply(YOUNG_PERSON, D, Decision.REFUSED)),
            EHCP_DRAFT,
            [(BlockerCode.REFUSED, YOUNG_PERSON.id)],
            id="young-person-refused",
        ),
        pytest.param(
            family_meeting(
                PARENT_AGREES,
                YOUNG_PERSON_AGREES,
                reply(PARENT, D, Decision.WITHDRAWN, at=minutes_before(15)),
            ),
            EHCP_DRAFT,
            [(BlockerCode.WITHDRAWN, PARENT.id)],
            id="parent-withdrew-before-start",
        ),
        pytest.param(
            family_meeting(
                PARENT_AGREES,
                YOUNG_PERSON_AGREES,
                reply(PARENT, D, Decision.WITHDRAWN, at=minutes_after(15)),
            ),
            EHCP_DRAFT,
            [(BlockerCode.WITHDRAWN, PARENT.id)],
            id="parent-withdrew-during-meeting",
        ),
        pytest.param(
            family_meeting(
                reply(PARENT, D, auth=AuthVerdict.FAIL, documents=BOTH_DOCUMENTS),
                YOUNG_PERSON_AGREES,
            ),
            EHCP_DRAFT,
            [(BlockerCode.NOT_AUTHENTICATED, PARENT.id)],
            id="dmarc-fail",
        ),
        pytest.param(
            family_meeting(
                reply(PARENT, D, sender_matches=False, documents=BOTH_DOCUMENTS),
                YOUNG_PERSON_AGREES,
            ),
            EHCP_DRAFT,
            [(BlockerCode.SENDER_MISMATCH, PARENT.id)],
            id="given-from-another-address",
        ),
        pytest.param(
            family_meeting(
                reply(PARENT, D, auth=AuthVerdict.NONE, documents=[SCHOOL_REPORT]),
                YOUNG_PERSON_AGREES,
            ),
            EHCP_DRAFT,
            [
                (BlockerCode.NOT_AUTHENTICATED, PARENT.id),
                (BlockerCode.NOT_ASKED_ABOUT_DOCUMENT, PARENT.id),
            ],
            id="unauthenticated-and-about-another-document",
        ),
        pytest.param(
            family_meeting(
                reply(PARENT, Topic.RECORDING),
                reply(PARENT, Topic.CONTRIBUTION),
                YOUNG_PERSON_AGREES,
            ),
            EHCP_DRAFT,
            [(BlockerCode.NO_REPLY, PARENT.id)],
            id="consent-to-other-things-is-not-consent-to-documents",
        ),
        pytest.param(
            family_meeting(
                reply(PARENT, D, at=minutes_before(5), documents=BOTH_DOCUMENTS),
                reply(PARENT, D, at=minutes_before(5), documents=[SCHOOL_REPORT]),
                YOUNG_PERSON_AGREES,
            ),
            EHCP_DRAFT,
            [(BlockerCode.NOT_ASKED_ABOUT_DOCUMENT, PARENT.id)],
            id="simultaneous-consents-must-both-cover-the-document",
        ),
        pytest.param(
            family_meeting(PARENT_AGREES, YOUNG_PERSON_AGREES, cancelled=True),
            EHCP_DRAFT,
            [(BlockerCode.MEETING_CANCELLED, None)],
            id="meeting-cancelled",
        ),
    ],
)
def test_share_examples(
    facts: MeetingFacts, document_id: str | None, expected: list[tuple[BlockerCode, str | None]]
) -> None:
    verdict = evaluate_share(facts, document_id)

    assert summarise(verdict.blockers) == expected
    assert verdict.permitted is (expected == [])
    assert verdict.document_id == document_id
    assert all(b.topic is D for b in verdict.blockers)


@given(meeting_facts(), document_choices)
def test_permitted_exactly_when_listed_in_time_and_every_service_user_agreed_to_it(
    facts: MeetingFacts, document_id: str | None
) -> None:
    listed_in_time = any(
        d.id == document_id and d.listed_at < real_start_of(facts) for d in facts.documents
    )
    users = service_user_ids(facts)
    every_user_agreed = all(consent_to_document_stands(facts, u, document_id) for u in users)

    assert evaluate_share(facts, document_id).permitted is (
        listed_in_time and not facts.cancelled and bool(users) and every_user_agreed
    )


@given(meeting_facts(), document_choices)
def test_every_service_user_without_consent_to_the_document_is_named(
    facts: MeetingFacts, document_id: str | None
) -> None:
    named = {b.attendee_id for b in evaluate_share(facts, document_id).blockers}

    assert named - {None} == {
        u for u in service_user_ids(facts) if not consent_to_document_stands(facts, u, document_id)
    }


@given(meeting_facts(), document_choices, st.data())
def test_a_refusal_before_the_start_never_allows_sharing(
    facts: MeetingFacts, document_id: str | None, data: st.DataObject
) -> None:
    refusal = data.draw(
        consent_records(
            owner_of_a_reply(facts), st.just(D), objections, moments=moments_before_start
        )
    )

    if evaluate_share(with_reply(facts, refusal), document_id).permitted:
        assert evaluate_share(facts, document_id).permitted


@given(meeting_facts(), document_choices)
def test_consent_given_at_or_after_the_start_never_counts(
    facts: MeetingFacts, document_id: str | None
) -> None:
    on_time_only = without_late_replies(facts, keep_objections=True)

    assert late_read_as_no_reply(evaluate_share(facts, document_id).blockers) == (
        late_read_as_no_reply(evaluate_share(on_time_only, document_id).blockers)
    )


@given(meeting_facts(), document_choices, st.data())
def test_the_order_emails_are_stored_in_does_not_matter(
    facts: MeetingFacts, document_id: str | None, data: st.DataObject
) -> None:
    reordered = replace(facts, decisions=tuple(data.draw(st.permutations(facts.decisions))))

    assert evaluate_share(reordered, document_id) == evaluate_share(facts, document_id)
