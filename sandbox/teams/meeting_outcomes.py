"""What the Teams driver (`sandbox.teams.meeting_driver`) answers: the refusals Teams would
give (`MeetingActionError`, with the HTTP status the control API answers), and what an
admission or a posted file produced, with the bot's delivery of the activity it was sent."""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.files import DriveItem
from sandbox.teams.bot_channel import ActivityDelivery
from sandbox.teams.live_meetings import Attendance


class MeetingActionError(Exception):
    """Teams would not let that happen; `status` is the HTTP status the control API gives."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class RecordingRefusedError(MeetingActionError):
    def __init__(self) -> None:
        super().__init__(
            403, "Recording is turned off for this meeting (the onlineMeeting's allowRecording)."
        )


@dataclass(frozen=True)
class Admission:
    attendance: Attendance
    delivery: ActivityDelivery


@dataclass(frozen=True)
class PostedFile:
    item: DriveItem
    delivery: ActivityDelivery
