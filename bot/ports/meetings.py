"""Teams meetings: find the online meeting behind a calendar event, lock its settings down and
read them back, keep its recording setting in line with the gate, read when its call started,
and install the bot into its chat. `organiser_id` is the organiser's directory object id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.ports.calendar import Calendar


class CallStartUnknown(Exception):
    """The meeting chat could not be read well enough to say whether the call started."""


@dataclass(frozen=True)
class TeamsMeeting:
    id: str
    join_url: str
    chat_thread_id: str


@dataclass(frozen=True)
class MeetingSettings:
    """A meeting's settings as Graph reads them back (None where the answer does not say)."""

    allow_recording: bool | None
    allow_transcription: bool | None
    record_automatically: bool | None
    lobby_organiser_only: bool
    organiser_presents_alone: bool

    @property
    def allows_recording(self) -> bool | None:
        """Whether Teams lets the meeting be recorded or transcribed in any way (None when
        the answer does not say)."""
        if True in (self.allow_recording, self.allow_transcription, self.record_automatically):
            return True
        return None if self.allow_recording is None else False

    def recording_is(self, allowed: bool) -> bool:
        """Whether recording and transcription are both `allowed` and automatic recording is
        not on."""
        return (
            self.allow_recording is allowed
            and self.allow_transcription is allowed
            and self.record_automatically is not True
        )

    @property
    def locked_down(self) -> bool:
        """Whether the meeting has the settings it is created with: recording off, the lobby
        for everyone but the organiser, the organiser the only presenter."""
        return (
            self.recording_is(False) and self.lobby_organiser_only and self.organiser_presents_alone
        )


class Meetings(Protocol):
    @property
    def events(self) -> Calendar:
        """The organiser's calendar, where meetings are made, moved and cancelled."""

    async def find_by_join_url(self, organiser_id: str, join_url: str) -> TeamsMeeting | None:
        """The organiser's online meeting with this join URL, or None if there is none."""

    async def lock_down(self, organiser_id: str, meeting_id: str) -> None:
        """Recording, transcription and automatic recording off, the lobby for everyone but
        the organiser, the organiser the only presenter. Confirm with `settings`."""

    async def restore_lobby(self, organiser_id: str, meeting_id: str) -> None:
        """Only the lobby and the presenters back as `lock_down` sets them, recording left as
        it is. Confirm with `settings`."""

    async def settings(self, organiser_id: str, meeting_id: str) -> MeetingSettings:
        """The meeting's settings as Teams has them now."""

    async def set_recording(self, organiser_id: str, meeting_id: str, allowed: bool) -> None:
        """Allow or forbid recording and transcription (automatic recording always off)."""

    async def call_started(self, chat_thread_id: str) -> datetime | None:
        """When the meeting's call started, or None if it has not; `CallStartUnknown` when
        that cannot be told."""

    async def update(
        self,
        organiser_id: str,
        meeting_id: str,
        *,
        subject: str | None = None,
        starts_at: datetime | None = None,
        ends_at: datetime | None = None,
        attendee_addresses: tuple[str, ...] | None = None,
        forbid_recording: bool = False,
    ) -> None:
        """For a meeting stored without a calendar event: change what is given, and nothing
        else; with `forbid_recording`, also switch recording and transcription off."""

    async def delete(self, organiser_id: str, meeting_id: str) -> None:
        """Remove a meeting stored without a calendar event from Teams (it is cancelled)."""

    async def install_bot(self, chat_thread_id: str) -> None:
        """Install the bot into the meeting chat."""
