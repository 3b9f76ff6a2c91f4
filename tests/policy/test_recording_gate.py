"""The recording gate: recording only with every attendee's emailed consent from before the start.

Policy: staff "will not record meetings they have arranged on behalf of service users unless we
have consent in the form of an email from all attendees prior to the meeting".
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.policy.blockers import BlockerCode
from bot.policy.recording_gate import evaluate_recording
from domain.terms import AuthVerdict, Decision, MeetingFacts, Topic

from .builders import (
    PARENT,
    SENCO,
    STAFF,
    UNINVITED_ID,
    consent_records,
    consent_stands,
    late_read_as_no_reply,
    meeting,
    meeting_facts,
    minutes_after,
    minutes_before,
    moments_before_start,
    moments_from_start,
    objections,
    owner_of_a_reply,
    reply,
    summarise,
    with_reply,
    without_late_replies,
)

R = Topic.RECORDING
EVERYONE = (PARENT, STAFF, SENCO)
EVERYONE_PRESENT = (PARENT.id, STAFF.id, SENCO.id)
ALL_CONSENTED = (reply(PARENT, R), reply(STAFF, R), reply(SENCO, R))


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        pytest.param(
            meeting(EVERYONE, *ALL_CONSENTED, present=EVERYONE_PRESENT),
            [],
            id="all-three-consented-before-start",
        ),
        pytest.param(
            meeting(EVERYONE, *ALL_CONSENTED[:2], reply(SENCO, R, at=minutes_after(5))),
            [(BlockerCode.LATE_REPLY, SENCO.id)],
            id="one-replied-after-start",
        ),
        pytest.param(
            meeting(EVERYONE, *ALL_CONSENTED[:2], reply(SENCO, R, at=minutes_after(0))),
            [(BlockerCode.LATE_REPLY, SENCO.id)],
            id="one-replied-exactly-at-start",
        ),
        pytest.param(
            meeting(EVERYONE, *ALL_CONSENTED[1:]),
            [(BlockerCode.NO_REPLY, PARENT.id)],
            id="parent-never-replied",
        ),
        pytest.param(
            meeting(EVERYONE, *ALL_CONSENTED[:2]),
            [(BlockerCode.NO_REPLY, SENCO.id)],
            id="professional-never-replied",
        ),
        pytest.param(
            meeting(EVERYONE, ALL_CONSENTED[0], ALL_CONSENTED[2]),
            [(BlockerCode.NO_REPLY, STAFF.id)],
            id="staff-without-consent-blocks-too",
        ),
        pytest.param(
            meeting(
                EVERYONE,
                *ALL_CONSENTED,
                reply(PARENT, R, Decision.WITHDRAWN, at=minutes_before(30)),
            ),
            [(BlockerCode.WITHDRAWN, PARENT.id)],
            id="given-then-withdrawn-before-start",
        ),
        pytest.param(
            meeting(
                EVERYONE,
                *ALL_CONSENTED,
                reply(PARENT, R, Decision.WITHDRAWN, at=minutes_after(10)),
            ),
            [(BlockerCode.WITHDRAWN, PARENT.id)],
            id="given-then-withdrawn-during-meeting",
        ),
        pytest.param(
            meeting(
                EVERYONE,
                reply(PARENT, R, Decision.REFUSED, at=minutes_before(120)),
                reply(PARENT, R, at=minutes_before(30)),
                *ALL_CONSENTED[1:],
            ),
            [],
            id="refused-then-given-before-start",
        ),
        pytest.param(
            meeting(
                EVERYONE,
                reply(PARENT, R, Decision.REFUSED, at=minutes_before(30)),
                reply(PARENT, R, at=minutes_after(5)),
                *ALL_CONSENTED[1:],
            ),
            [(BlockerCode.REFUSED, PARENT.id)],
            id="refused-before-start-given-after",
        ),
        pytest.param(
            meeting(
                EVERYONE,
                *ALL_CONSENTED,
                reply(SENCO, R, Decision.REFUSED, at=minutes_before(10)),
            ),
            [(BlockerCode.REFUSED, SENCO.id)],
            id="given-then-refused-before-start",
        ),
        pytest.param(
            meeting(
                EVERYONE,
                reply(PARENT, R, at=minutes_before(10)),
                reply(PARENT, R, Decision.REFUSED, at=minutes_before(10)),
                *ALL_CONSENTED[1:],
            ),
            [(BlockerCode.REFUSED, PARENT.id)],
            id="given-and-refused-at-same-instant",
        ),
        pytest.param(
            meeting(EVERYONE, reply(PARENT, R, auth=AuthVerdict.FAIL), *ALL_CONSENTED[1:]),
            [(BlockerCode.NOT_AUTHENTICATED, PARENT.id)],
            id="dmarc-fail",
        ),
        pytest.param(
            meeting(EVERYONE, reply(PARENT, R, auth=AuthVerdict.NONE), *ALL_CONSENTED[1:]),
            [(BlockerCode.NOT_AUTHENTICATED, PARENT.id)],
            id="no-authentication-result",
        ),
        pytest.param(
            meeting(EVERYONE, reply(PARENT, R, sender_matches=False), *ALL_CONSENTED[1:]),
            [(BlockerCode.SENDER_MISMATCH, PARENT.id)],
            id="given-from-another-address",
        ),
        pytest.param(
            meeting(
                EVERYONE,
                reply(PARENT, R, auth=AuthVerdict.FAIL, sender_matches=False),
                *ALL_CONSENTED[1:],
            ),
            [(BlockerCode.NOT_AUTHENTICATED, PARENT.id), (BlockerCode.SENDER_MISMATCH, PARENT.id)],
            id="unauthenticated-and-from-another-address",
        ),
        pytest.param(
            meeting(
                EVERYONE,
                *ALL_CONSENTED,
                reply(PARENT, R, at=minutes_before(5), sender_matches=False),
            ),
            [(BlockerCode.SENDER_MISMATCH, PARENT.id)],
            id="later-given-from-another-address-replaces-genuine-one",
        ),
        pytest.param(
            meeting(
                EVERYONE,
                *ALL_CONSENTED,
                reply(PARENT, R, Decision.REFUSED, at=minutes_before(5), auth=AuthVerdict.FAIL),
            ),
            [(BlockerCode.REFUSED, PARENT.id)],
            id="unauthenticated-refusal-still-refuses",
        ),
        pytest.param(
            meeting(
                EVERYONE,
                *ALL_CONSENTED,
                reply(PARENT, R, Decision.WITHDRAWN, at=minutes_before(5), sender_matches=False),
            ),
            [(BlockerCode.WITHDRAWN, PARENT.id)],
            id="withdrawal-from-another-address-still-withdraws",
        ),
        pytest.param(
            meeting(EVERYONE, *ALL_CONSENTED, present=(*EVERYONE_PRESENT, None)),
            [(BlockerCode.UNKNOWN_PARTICIPANT_PRESENT, None)],
            id="stranger-present",
        ),
        pytest.param(
            meeting(EVERYONE, *ALL_CONSENTED, present=(PARENT.id, UNINVITED_ID)),
            [(BlockerCode.UNKNOWN_PARTICIPANT_PRESENT, UNINVITED_ID)],
            id="someone-not-invited-present",
        ),
        pytest.param(
            meeting(
                EVERYONE,
                reply(PARENT, Topic.DOCUMENTS),
                reply(PARENT, Topic.CONTRIBUTION),
                *ALL_CONSENTED[1:],
            ),
            [(BlockerCode.NO_REPLY, PARENT.id)],
            id="consent-to-other-things-is-not-consent-to-recording",
        ),
        pytest.param(
            meeting(EVERYONE, *ALL_CONSENTED, recording_requested=False),
            [(BlockerCode.RECORDING_NOT_REQUESTED, None)],
            id="recording-not-requested",
        ),
        pytest.param(
            meeting(EVERYONE, *ALL_CONSENTED, cancelled=True),
            [(BlockerCode.MEETING_CANCELLED, None)],
            id="meeting-cancelled",
        ),
        pytest.param(meeting(()), [(BlockerCode.NO_ATTENDEES, None)], id="no-attendees"),
        pytest.param(
            meeting(
                EVERYONE,
                reply(STAFF, R),
                reply(SENCO, R, Decision.REFUSED),
                recording_requested=False,
                present=(None, SENCO.id, UNINVITED_ID),
            ),
            [
                (BlockerCode.RECORDING_NOT_REQUESTED, None),
                (BlockerCode.NO_REPLY, PARENT.id),
                (BlockerCode.REFUSED, SENCO.id),
                (BlockerCode.UNKNOWN_PARTICIPANT_PRESENT, None),
                (BlockerCode.UNKNOWN_PARTICIPANT_PRESENT, UNINVITED_ID),
            ],
            id="every-reason-listed-in-order",
        ),
    ],
)
def test_recording_examples(
    facts: MeetingFacts, expected: list[tuple[BlockerCode, str | None]]
) -> None:
    verdict = evaluate_recording(facts)

    assert summarise(verdict.blockers) == expected
    assert verdict.permitted is (expected == [])
    assert all(b.topic is Topic.RECORDING for b in verdict.blockers)


@given(meeting_facts())
def test_permitted_exactly_when_everyone_consented_and_no_one_else_is_present(
    facts: MeetingFacts,
) -> None:
    attendee_ids = {a.id for a in facts.attendees}
    everyone_consented = all(consent_stands(facts, a.id, R) for a in facts.attendees)
    only_attendees_present = all(p.attendee_id in attendee_ids for p in facts.present)

    assert evaluate_recording(facts).permitted is (
        facts.recording_requested
        and not facts.cancelled
        and not facts.recording_closed_since_start
        and bool(facts.attendees)
        and everyone_consented
        and only_attendees_present
    )


@given(meeting_facts())
def test_every_attendee_without_consent_and_every_stranger_is_named(facts: MeetingFacts) -> None:
    blockers = evaluate_recording(facts).blockers
    named = [
        b.attendee_id for b in blockers if b.code is not BlockerCode.UNKNOWN_PARTICIPANT_PRESENT
    ]
    strangers = [b for b in blockers if b.code is BlockerCode.UNKNOWN_PARTICIPANT_PRESENT]
    attendee_ids = {a.id for a in facts.attendees}

    assert {i for i in named if i is not None} == {
        a.id for a in facts.attendees if not consent_stands(facts, a.id, R)
    }
    assert len(strangers) == sum(p.attendee_id not in attendee_ids for p in facts.present)


@given(meeting_facts(), st.data())
def test_a_refusal_before_the_start_never_opens_the_gate(
    facts: MeetingFacts, data: st.DataObject
) -> None:
    refusal = data.draw(
        consent_records(
            owner_of_a_reply(facts), st.just(R), objections, moments=moments_before_start
        )
    )

    if evaluate_recording(with_reply(facts, refusal)).permitted:
        assert evaluate_recording(facts).permitted


@given(meeting_facts(), st.data())
def test_a_refusal_or_withdrawal_during_the_meeting_closes_the_gate(
    facts: MeetingFacts, data: st.DataObject
) -> None:
    assume(facts.attendees)
    objecting = data.draw(st.sampled_from([a.id for a in facts.attendees]))
    objection = data.draw(
        consent_records(st.just(objecting), st.just(R), objections, moments=moments_from_start)
    )

    verdict = evaluate_recording(with_reply(facts, objection))

    assert not verdict.permitted
    assert objecting in {b.attendee_id for b in verdict.blockers}


@given(meeting_facts())
def test_consent_given_at_or_after_the_start_never_counts(facts: MeetingFacts) -> None:
    on_time_only = without_late_replies(facts, keep_objections=True)

    assert late_read_as_no_reply(evaluate_recording(facts).blockers) == late_read_as_no_reply(
        evaluate_recording(on_time_only).blockers
    )


@given(meeting_facts())
def test_nothing_received_at_or_after_the_start_opens_the_gate(facts: MeetingFacts) -> None:
    if evaluate_recording(facts).permitted:
        assert evaluate_recording(without_late_replies(facts, keep_objections=False)).permitted


@given(meeting_facts(), st.data())
def test_the_order_emails_are_stored_in_does_not_matter(
    facts: MeetingFacts, data: st.DataObject
) -> None:
    reordered = replace(facts, decisions=tuple(data.draw(st.permutations(facts.decisions))))

    assert evaluate_recording(reordered) == evaluate_recording(facts)
