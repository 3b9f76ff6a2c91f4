"""Meetings as they happen: who is in the meeting and in which role, who is recording, and the
targeted notifications the bot showed. A live meeting is made from an onlineMeeting and goes
from scheduled to started to ended."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sandbox.meetings import Attendee, OnlineMeeting
from sandbox.teams.accounts import TeamsAccount

MeetingPhase = Literal["scheduled", "started", "ended"]
RecordingAction = Literal["started", "stopped", "refused"]
PRESENTER_ROLES = frozenset({"presenter", "coorganizer"})


@dataclass
class Attendance:
    account: TeamsAccount
    role: str
    invited: bool
    joined_at: datetime
    left_at: datetime | None = None
    recording_since: datetime | None = None

    @property
    def in_meeting(self) -> bool:
        return self.left_at is None


@dataclass(frozen=True)
class RecordingEvent:
    at: datetime
    by: str
    action: RecordingAction
    started_while_permitted: bool = False


@dataclass
class LiveMeeting:
    online_meeting_id: str
    teams_meeting_id: str
    thread_id: str
    phase: MeetingPhase = "scheduled"
    started_at: datetime | None = None
    ended_at: datetime | None = None
    attendance: dict[str, Attendance] = field(default_factory=dict)
    recording_log: list[RecordingEvent] = field(default_factory=list)
    notifications: list[dict[str, Any]] = field(default_factory=list)
    event_shape: str = "2021"
    """The documented shape of this meeting's start and end events (`activities`)."""

    def present(self) -> list[Attendance]:
        return [a for a in self.attendance.values() if a.in_meeting]

    def participant(self, key: str) -> Attendance | None:
        """Whoever has attended, named by `29:` id, object id, UPN or mail address."""
        return next((a for a in self.attendance.values() if a.account.names(key)), None)

    def recorder(self) -> Attendance | None:
        return next((a for a in self.present() if a.recording_since is not None), None)


def invitee(meeting: OnlineMeeting, account: TeamsAccount, address: str | None) -> Attendee | None:
    """The invitation that names this person: by object id, UPN or address."""
    keys = {k.lower() for k in (account.aad_object_id, account.email, address) if k}
    keys |= {account.user_principal_name.lower()} if account.user_principal_name else set()
    return next(
        (
            a
            for a in meeting.attendees
            if (a.user_id and a.user_id.lower() in keys) or (a.upn and a.upn.lower() in keys)
        ),
        None,
    )


def meeting_role(meeting: OnlineMeeting, account: TeamsAccount, invitation: Attendee | None) -> str:
    """The role Teams gives someone in the meeting (`meeting.role` of the participant API)."""
    if account.aad_object_id is not None and account.aad_object_id == meeting.organizer_id:
        return "Organizer"
    if invitation is not None and invitation.role.lower() in PRESENTER_ROLES:
        return "Presenter"
    presenter_by_setting = {
        "everyone": True,
        "organization": account.user_role == "user",
        "roleIsPresenter": False,
        "organizer": False,
    }
    return "Presenter" if presenter_by_setting[meeting.allowed_presenters] else "Attendee"


class LiveMeetingStore:
    def __init__(self) -> None:
        self._meetings: dict[str, LiveMeeting] = {}

    def add(self, meeting: LiveMeeting) -> None:
        self._meetings[meeting.online_meeting_id] = meeting

    def get(self, online_meeting_id: str) -> LiveMeeting | None:
        return self._meetings.get(online_meeting_id)

    def by_thread(self, thread_id: str) -> LiveMeeting | None:
        return next((m for m in self._meetings.values() if m.thread_id == thread_id), None)

    def all(self) -> list[LiveMeeting]:
        return list(self._meetings.values())
