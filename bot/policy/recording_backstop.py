"""Whether a recording or transcript found in Microsoft 365 after the fact was permitted.

The recording gate keeps Teams' `allowRecording` off unless every attendee consented by
email before the start; this is the backstop for what Teams made anyway (someone changed the
meeting options, a recording began while Teams allowed it and the gate closed after). A
recording or transcript was permitted only if the gate permitted recording for all of its
time: counting only consent received before it began (or before the real start, whichever is
earlier), and with the gate never closed since the start before it ended. A refusal or
withdrawal made after it began is not given as a reason it was not permitted when it began:
the gate's closing while it ran says that. What cannot be
shown fails closed: an unknown start, or an unknown end in a meeting whose gate closed. The
gate's closing is recorded when the bot acts on its cause (someone uninvited joining, a
withdrawal), moments after it: a recording that ended less than `CLOSING_MARGIN` before that
record counts as running when it closed.

Pure: no I/O. Names appear nowhere; blockers carry pseudonymous attendee ids only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from bot.policy.blockers import Blocker
from bot.policy.recording_gate import evaluate_recording
from domain.terms import Decision, MeetingFacts

CLOSING_MARGIN: Final = timedelta(minutes=1)


class ArtefactKind(StrEnum):
    """What Teams made: a recording or a transcript (each a Graph resource of the meeting)."""

    RECORDING = "recording"
    TRANSCRIPT = "transcript"


class BackstopReason(StrEnum):
    """Why a found recording or transcript was not permitted, beyond the gate's blockers."""

    TIME_UNKNOWN = "time_unknown"
    GATE_CLOSED_DURING = "gate_closed_during"


REASON_SENTENCES: Final[Mapping[BackstopReason, str]] = {
    BackstopReason.TIME_UNKNOWN: (
        "Microsoft 365 did not say when it was made, so it cannot be shown to have been made"
        " while recording was permitted."
    ),
    BackstopReason.GATE_CLOSED_DURING: (
        "Recording stopped being permitted during the meeting, before it ended (or Microsoft"
        " 365 did not say when it ended)."
    ),
}


@dataclass(frozen=True, slots=True)
class FoundArtefact:
    """A recording or transcript as Graph describes it: `created_at` is its
    `createdDateTime`, `ended_at` its `endDateTime` (either may be missing)."""

    kind: ArtefactKind
    created_at: datetime | None
    ended_at: datetime | None


@dataclass(frozen=True, slots=True)
class ArtefactVerdict:
    """Every reason the artefact was not permitted: the gate's blockers as of its start, then
    the backstop's own reasons."""

    blockers: tuple[Blocker, ...]
    reasons: tuple[BackstopReason, ...]

    @property
    def permitted(self) -> bool:
        return not self.blockers and not self.reasons


def judge_artefact(
    facts: MeetingFacts, closed_at: datetime | None, found: FoundArtefact
) -> ArtefactVerdict:
    """Whether the gate permitted recording for all of `found`'s time. `closed_at` is when
    the gate closed for the rest of the meeting (None: it never did)."""
    if found.created_at is None:
        return ArtefactVerdict(blockers=(), reasons=(BackstopReason.TIME_UNKNOWN,))
    began = min(facts.cutoff, found.created_at)
    as_it_began = replace(
        facts,
        decisions=tuple(
            d for d in facts.decisions if d.received_at <= began or d.decision is Decision.GIVEN
        ),
        present=(),
        recording_closed_since_start=False,
        sight_lost_since_start=False,
        started_at=began,
    )
    blockers = evaluate_recording(as_it_began).blockers
    closed_during = closed_at is not None and (
        found.ended_at is None or closed_at - CLOSING_MARGIN < found.ended_at
    )
    return ArtefactVerdict(
        blockers=blockers,
        reasons=(BackstopReason.GATE_CLOSED_DURING,) if closed_during else (),
    )
