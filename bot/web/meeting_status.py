"""What the staff home says about each meeting, in words: where the meeting is (scheduled, in
progress, finished or cancelled) and whether it may be recorded, or what is missing. Pure:
the handler reads the rows and asks the recording gate; these turn both into words."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from bot.policy.blockers import BlockerCode
from bot.policy.recording_gate import RecordingVerdict

SCHEDULED = "Scheduled"
IN_PROGRESS = "In progress"
FINISHED = "Finished"
CANCELLED = "Cancelled"
NOT_ASKED = "Not asked for"
CANCELLED_RECORDING = "Not permitted: the meeting is cancelled"


def meeting_phase(
    status: str, starts_at: datetime, ends_at: datetime, started_at: datetime | None, now: datetime
) -> str:
    """Cancelled; finished once its end time has passed; in progress once it started (seen
    starting, or its start time passed); scheduled before that."""
    if status == "cancelled":
        return CANCELLED
    if now >= ends_at:
        return FINISHED
    if (started_at is not None and started_at <= now) or starts_at <= now:
        return IN_PROGRESS
    return SCHEDULED


_COUNTED = {
    BlockerCode.NO_REPLY: ("{n} reply awaited", "{n} replies awaited"),
    BlockerCode.LATE_REPLY: ("{n} reply came after the start", "{n} replies came after the start"),
    BlockerCode.REFUSED: ("{n} person said no", "{n} people said no"),
    BlockerCode.WITHDRAWN: ("{n} person withdrew", "{n} people withdrew"),
    BlockerCode.NOT_AUTHENTICATED: (
        "{n} reply could not be authenticated",
        "{n} replies could not be authenticated",
    ),
    BlockerCode.SENDER_MISMATCH: (
        "{n} reply came from another address",
        "{n} replies came from another address",
    ),
    BlockerCode.UNKNOWN_PARTICIPANT_PRESENT: (
        "someone not invited is in the meeting",
        "{n} people not invited are in the meeting",
    ),
}
_ONCE = {
    BlockerCode.MEETING_CANCELLED: "the meeting is cancelled",
    BlockerCode.NO_ATTENDEES: "no one is invited",
    BlockerCode.NO_SERVICE_USER: "no parent carer or young person is invited",
    BlockerCode.CLOSED_SINCE_START: "switched off since the meeting started",
    BlockerCode.SIGHT_LOST: "the bot could not see who was present for a while",
}


def recording_in_words(verdict: RecordingVerdict) -> str:
    """For a meeting whose recording was asked for: "Permitted", or "Not permitted: " and
    what is missing, counted."""
    if verdict.permitted:
        return "Permitted"
    counts = Counter(blocker.code for blocker in verdict.blockers)
    missing = []
    for code, count in counts.items():
        if code in _COUNTED:
            one, many = _COUNTED[code]
            missing.append((one if count == 1 else many).format(n=count))
        else:
            missing.append(_ONCE.get(code, "consent is not complete"))
    return "Not permitted: " + ", ".join(dict.fromkeys(missing))
