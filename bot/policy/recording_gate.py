"""Whether a meeting may be recorded, and what Teams' recording setting should become.

Policy: staff "will not record meetings they have arranged on behalf of service users unless we
have consent in the form of an email from all attendees prior to the meeting". Every attendee,
staff included, must have given trustworthy consent before the real start, and no one may be
present who is not an attendee.

Once the meeting has really started, recording may be switched off but never on: the gate's
answer is frozen at the start, and a gate found closed at any moment since (someone uninvited
joined, someone withdrew, Teams was not allowing recording, the bot lost sight of who was
present) stays closed until the meeting ends (`closes_for_good`, recorded by the caller as
`MeetingFacts.recording_closed_since_start`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from bot.policy.blockers import Blocker, BlockerCode
from bot.policy.consent_standing import group_consent_blockers
from domain.terms import MeetingFacts, Topic


@dataclass(frozen=True, slots=True)
class RecordingVerdict:
    """Every reason the meeting may not be recorded: meeting, then attendees, then those present."""

    blockers: tuple[Blocker, ...]

    @property
    def permitted(self) -> bool:
        return not self.blockers


def _meeting_blockers(facts: MeetingFacts) -> tuple[Blocker, ...]:
    failed_checks = (
        (not facts.recording_requested, BlockerCode.RECORDING_NOT_REQUESTED),
        (facts.cancelled, BlockerCode.MEETING_CANCELLED),
        (facts.recording_closed_since_start, BlockerCode.CLOSED_SINCE_START),
        (facts.sight_lost_since_start, BlockerCode.SIGHT_LOST),
    )
    return tuple(Blocker(code, Topic.RECORDING) for failed, code in failed_checks if failed)


def _unknown_participant_blockers(facts: MeetingFacts) -> tuple[Blocker, ...]:
    attendee_ids = {a.id for a in facts.attendees}
    return tuple(
        Blocker(BlockerCode.UNKNOWN_PARTICIPANT_PRESENT, Topic.RECORDING, p.attendee_id)
        for p in facts.present
        if p.attendee_id not in attendee_ids
    )


def evaluate_recording(facts: MeetingFacts) -> RecordingVerdict:
    """Decide whether the meeting may be recorded, listing every reason it may not."""
    return RecordingVerdict(
        blockers=(
            *_meeting_blockers(facts),
            *group_consent_blockers(
                facts, Topic.RECORDING, facts.attendees, BlockerCode.NO_ATTENDEES
            ),
            *_unknown_participant_blockers(facts),
        )
    )


def closes_for_good(
    facts: MeetingFacts, verdict: RecordingVerdict, teams_allows: bool | None
) -> bool:
    """Whether the gate must now close for the rest of the meeting: it has really started, is
    not closed for good already, and either the gate says no or Teams is not known to allow
    recording (it may not be switched on during the meeting)."""
    return (
        facts.has_started
        and not facts.recording_closed_since_start
        and (not verdict.permitted or teams_allows is not True)
    )


SWITCH_ON_MARGIN: Final = timedelta(seconds=15)
"""Recording is switched on only while the real start is at least this far off, so that the
change has landed in Teams before the meeting starts, however slow Graph or the bot is at that
moment; consent that completes later leaves the meeting unrecorded."""


def switch_on_deadline(facts: MeetingFacts) -> datetime:
    """The last moment a change switching recording on may be sent to Teams."""
    return facts.cutoff - SWITCH_ON_MARGIN


def starting(facts: MeetingFacts, now: datetime) -> bool:
    """Whether the meeting has started, or starts too soon for recording to be switched on."""
    return facts.has_started or now >= switch_on_deadline(facts)


def recording_target(*, permitted: bool, started: bool, teams_allows: bool | None) -> bool | None:
    """What Teams' `allowRecording` must be set to, or None to leave it.

    Off whenever the gate says no and Teams is not known to be off; on only before the real
    start, when the gate says yes and Teams is not known to be on. `teams_allows` is None when
    it is not known (never set or read).
    """
    if not permitted:
        return None if teams_allows is False else False
    if started or teams_allows is True:
        return None
    return True
