"""The recording backstop's decision: was a recording or transcript found in Microsoft 365
made while the gate permitted recording, for all of its time?"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.policy.blockers import BlockerCode
from bot.policy.recording_backstop import (
    CLOSING_MARGIN,
    ArtefactKind,
    BackstopReason,
    FoundArtefact,
    judge_artefact,
)
from domain.terms import Decision, Topic

from .builders import (
    PARENT,
    SENCO,
    STAFF,
    meeting,
    minutes_after,
    minutes_before,
    reply,
    summarise,
)

R = Topic.RECORDING
EVERYONE = (PARENT, STAFF, SENCO)
ALL_CONSENTED = (reply(PARENT, R), reply(STAFF, R), reply(SENCO, R))


FIVE_PAST = minutes_after(5)
HALF_PAST = minutes_after(30)


def recording(
    created: datetime | None = FIVE_PAST, ended: datetime | None = HALF_PAST
) -> FoundArtefact:
    return FoundArtefact(ArtefactKind.RECORDING, created, ended)


def test_a_recording_of_a_meeting_everyone_agreed_to_is_permitted() -> None:
    verdict = judge_artefact(meeting(EVERYONE, *ALL_CONSENTED), None, recording())
    assert verdict.permitted
    assert verdict.blockers == ()
    assert verdict.reasons == ()


def test_a_recording_without_everyones_consent_names_who_had_not_agreed() -> None:
    facts = meeting(EVERYONE, *ALL_CONSENTED[:2])
    verdict = judge_artefact(facts, None, recording())
    assert not verdict.permitted
    assert summarise(verdict.blockers) == [(BlockerCode.NO_REPLY, SENCO.id)]


def test_a_transcript_is_judged_as_a_recording_is() -> None:
    facts = meeting(EVERYONE, *ALL_CONSENTED[:2])
    found = FoundArtefact(ArtefactKind.TRANSCRIPT, minutes_after(5), minutes_after(10))
    assert not judge_artefact(facts, None, found).permitted


def test_a_recording_made_before_the_last_consent_arrived_is_not_permitted() -> None:
    """Made before the start, when one consent had not yet arrived (it came after the
    recording began, though still before the start)."""
    facts = meeting(EVERYONE, *ALL_CONSENTED[:2], reply(SENCO, R, at=minutes_before(10)))
    early = recording(created=minutes_before(30), ended=minutes_before(20))
    verdict = judge_artefact(facts, None, early)
    assert summarise(verdict.blockers) == [(BlockerCode.LATE_REPLY, SENCO.id)]


def test_a_recording_after_a_gate_closed_mid_meeting_is_not_permitted() -> None:
    """Made while Teams allowed it; the gate closed (someone uninvited joined) before it
    ended."""
    verdict = judge_artefact(
        meeting(EVERYONE, *ALL_CONSENTED), minutes_after(20), recording(ended=minutes_after(30))
    )
    assert not verdict.permitted
    assert verdict.blockers == ()
    assert verdict.reasons == (BackstopReason.GATE_CLOSED_DURING,)


def test_a_recording_that_ended_before_the_gate_closed_stays_permitted() -> None:
    verdict = judge_artefact(
        meeting(EVERYONE, *ALL_CONSENTED), minutes_after(40), recording(ended=minutes_after(30))
    )
    assert verdict.permitted


def test_a_recording_that_ended_moments_before_the_closing_was_recorded_is_not_permitted() -> None:
    """The bot records the gate closing just after its cause; a recording that ended in
    between was still running when the cause happened."""
    closed_at = minutes_after(30) + timedelta(seconds=20)
    verdict = judge_artefact(
        meeting(EVERYONE, *ALL_CONSENTED), closed_at, recording(ended=minutes_after(30))
    )
    assert verdict.reasons == (BackstopReason.GATE_CLOSED_DURING,)


def test_an_unknown_end_in_a_meeting_whose_gate_closed_fails_closed() -> None:
    verdict = judge_artefact(
        meeting(EVERYONE, *ALL_CONSENTED), minutes_after(40), recording(ended=None)
    )
    assert verdict.reasons == (BackstopReason.GATE_CLOSED_DURING,)


def test_an_unknown_end_in_a_meeting_whose_gate_never_closed_is_permitted() -> None:
    assert judge_artefact(meeting(EVERYONE, *ALL_CONSENTED), None, recording(ended=None)).permitted


def test_an_unknown_start_fails_closed() -> None:
    verdict = judge_artefact(meeting(EVERYONE, *ALL_CONSENTED), None, recording(created=None))
    assert verdict.reasons == (BackstopReason.TIME_UNKNOWN,)
    assert not verdict.permitted


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"recording_requested": False}, BlockerCode.RECORDING_NOT_REQUESTED),
        ({"cancelled": True}, BlockerCode.MEETING_CANCELLED),
    ],
)
def test_a_meeting_that_could_not_be_recorded_at_all(
    changes: dict[str, bool], code: BlockerCode
) -> None:
    facts = replace(meeting(EVERYONE, *ALL_CONSENTED), **changes)  # type: ignore[arg-type]
    assert code in {b.code for b in judge_artefact(facts, None, recording()).blockers}


def test_a_withdrawal_before_the_start_makes_a_later_recording_unpermitted() -> None:
    facts = meeting(
        EVERYONE, *ALL_CONSENTED, reply(PARENT, R, Decision.WITHDRAWN, at=minutes_before(60))
    )
    assert summarise(judge_artefact(facts, None, recording()).blockers) == [
        (BlockerCode.WITHDRAWN, PARENT.id)
    ]


def test_who_is_present_now_does_not_judge_a_recording_made_before() -> None:
    """An uninvited person present after the meeting is not a reason the recording was not
    permitted; their joining closes the gate, which `closed_at` records."""
    facts = meeting(EVERYONE, *ALL_CONSENTED, present=("stranger",))
    assert judge_artefact(facts, None, recording()).permitted


@given(
    created=st.integers(-600, 600),
    length=st.integers(0, 300),
    closed=st.one_of(st.none(), st.integers(-600, 900)),
    consented=st.booleans(),
)
def test_permitted_only_with_consent_and_no_closing_before_the_end(
    created: int, length: int, closed: int | None, consented: bool
) -> None:
    replies = ALL_CONSENTED if consented else ALL_CONSENTED[:2]
    facts = meeting(EVERYONE, *replies)
    start = minutes_after(0) + timedelta(minutes=created)
    end = start + timedelta(minutes=length)
    closed_at = None if closed is None else minutes_after(0) + timedelta(minutes=closed)
    verdict = judge_artefact(facts, closed_at, recording(created=start, ended=end))
    expected = consented and (closed_at is None or closed_at - CLOSING_MARGIN >= end)
    assert verdict.permitted is expected


def test_a_withdrawal_after_a_recording_began_is_not_given_as_a_reason_it_was_not_permitted() -> (
    None
):
    """Staff are told what was wrong when it began (nothing) and that the gate closed while it
    ran: not that someone refused, which they did only later."""
    withdrawal = reply(PARENT, R, Decision.WITHDRAWN, at=minutes_after(20))
    verdict = judge_artefact(
        meeting(EVERYONE, *ALL_CONSENTED, withdrawal), minutes_after(20), recording()
    )
    assert not verdict.permitted
    assert verdict.blockers == ()
    assert verdict.reasons == (BackstopReason.GATE_CLOSED_DURING,)
