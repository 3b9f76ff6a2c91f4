"""Whether a meeting may be recorded.

Policy: staff "will not record meetings they have arranged on behalf of service users unless we
have consent in the form of an email from all attendees prior to the meeting". Every attendee,
staff included, must have given trustworthy consent before the start, and no one may be present
who is not an attendee.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.policy.blockers import Blocker, BlockerCode
from bot.policy.consent_standing import group_consent_blockers
from bot.policy.terms import MeetingFacts, Topic


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
