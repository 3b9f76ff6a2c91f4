"""Teams online meetings held by the tenant: their settings and who was invited."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

LobbyBypassScope = Literal[
    "organizer", "organization", "organizationAndFederated", "everyone", "invited",
    "organizationExcludingGuests",
]  # fmt: skip
AllowedPresenters = Literal["everyone", "organization", "roleIsPresenter", "organizer"]
MeetingChatMode = Literal["enabled", "disabled", "limited"]


@dataclass
class Attendee:
    """An invitee as Graph's meetingParticipantInfo: a tenant user (by object id) or an
    outside address (by `upn`)."""

    upn: str | None
    user_id: str | None
    display_name: str | None
    role: str = "attendee"


@dataclass
class OnlineMeeting:
    id: str
    organizer_id: str
    thread_id: str
    join_web_url: str
    join_meeting_id: str
    passcode: str | None
    created_at: datetime
    start: datetime
    end: datetime
    subject: str = ""
    attendees: list[Attendee] = field(default_factory=list)
    allow_recording: bool = True
    allow_transcription: bool = True
    record_automatically: bool = False
    allowed_presenters: AllowedPresenters = "everyone"
    allow_meeting_chat: MeetingChatMode = "enabled"
    allow_teamwork_reactions: bool = True
    allow_attendee_to_enable_camera: bool = True
    allow_attendee_to_enable_mic: bool = True
    is_entry_exit_announced: bool = False
    lobby_bypass_scope: LobbyBypassScope = "organization"
    lobby_dial_in_bypass: bool = False
    conference_id: str = ""
    """The audio conferencing (dial-in) conference id, also the event's `onlineMeeting`'s."""
    documented_shape: int = 0
    """Which of the documented onlineMeeting answer shapes this meeting is written in
    (`sandbox.graph.meeting_resource`): Microsoft's examples contradict each other, so the
    sandbox gives each in turn, one per meeting."""
    kept: dict[str, Any] = field(default_factory=dict)
    """Documented settings the sandbox keeps and gives back but does not act on (breakout
    rooms, the spoken language, a sensitivity label...), by their Graph names."""
    allow_recording_changes: list[tuple[datetime, bool]] = field(default_factory=list)
    """When `allow_recording` changed and to what (for tests; Teams keeps no such history
    that Graph exposes)."""


class MeetingStore:
    def __init__(self) -> None:
        self._meetings: dict[str, OnlineMeeting] = {}
        self._made = 0

    def next_shape(self, shapes: int) -> int:
        """The documented answer shape for the next meeting: each of `shapes` in turn."""
        self._made += 1
        return (self._made - 1) % shapes

    def add(self, meeting: OnlineMeeting) -> None:
        self._meetings[meeting.id] = meeting

    def get(self, meeting_id: str) -> OnlineMeeting | None:
        return self._meetings.get(meeting_id)

    def all(self) -> list[OnlineMeeting]:
        """Every onlineMeeting, in the order they were created."""
        return list(self._meetings.values())

    def remove(self, meeting_id: str) -> None:
        self._meetings.pop(meeting_id, None)

    def of_organizer(self, organizer_id: str) -> list[OnlineMeeting]:
        return [m for m in self._meetings.values() if m.organizer_id == organizer_id]
