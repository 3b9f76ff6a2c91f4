"""A meeting stored and scheduled in the sandbox tenant with every attendee's consent, with
the recording guard over doubles of the meeting chat and the call's voice: what the recording
guard's tests and the stays-off notice's share."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.graph.meetings import OnlineMeetings
from bot.services.live_meeting import RosterEntry, TeamsPerson
from bot.services.recording_enforcement import enforce_recording
from bot.services.recording_guard import RecordingGuard
from bot.services.recording_setting import lock_down_and_confirm
from bot.services.scheduling import open_teams_meeting
from consent_store.tables import AuditEntryRow
from consent_store.unit_of_work import Store
from domain.terms import Decision
from sandbox.seed import ADVISER, BOT_CLIENT_ID, COORDINATOR
from tests.builders import reply
from tests.sandbox.conftest import RunningSandbox
from tests.tenant_flows.conftest import parent_and_school_meeting

STOP_REQUEST = "please stop it now"
STAYS_OFF = "Recording stays off until this meeting ends"


class RecordingChat:
    """A MeetingChat double that keeps what it was asked to say; `fail_with` makes posting
    fail."""

    def __init__(self, fail_with: Exception | None = None) -> None:
        self.posts: list[tuple[str, str, dict[str, Any] | None]] = []
        self.private: list[tuple[str, list[str], str]] = []
        self.fail_with = fail_with

    async def post(self, thread_id: str, text: str, card: dict[str, Any] | None = None) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.posts.append((thread_id, text, card))

    async def notify_privately(self, thread_id: str, object_ids: Sequence[str], text: str) -> None:
        self.private.append((thread_id, list(object_ids), text))

    def stop_requests(self) -> list[tuple[str, list[str], str]]:
        """The private notices asking staff to stop a recording."""
        return [p for p in self.private if not p[2].startswith(STAYS_OFF)]

    def stays_off(self) -> list[tuple[str, list[str], str]]:
        """The private notices saying recording stays off for the rest of the meeting."""
        return [p for p in self.private if p[2].startswith(STAYS_OFF)]


class RecordingVoice:
    def __init__(self) -> None:
        self.said: list[tuple[str, str]] = []

    async def say(self, meeting_id: str, text: str) -> None:
        self.said.append((meeting_id, text))


class LiveMeeting:
    """A meeting stored and in Teams, with the guard and its doubles."""

    def __init__(
        self,
        store: Store,
        sandbox: RunningSandbox,
        meetings: OnlineMeetings,
        chat: RecordingChat | None = None,
    ) -> None:
        self.store = store
        self.sandbox = sandbox
        self.meetings = meetings
        self.chat = chat or RecordingChat()
        self.voice = RecordingVoice()
        self.guard = RecordingGuard(
            store, meetings, self.chat, self.voice, bot_app_id=BOT_CLIENT_ID
        )
        self.meeting_id = ""
        self.teams_id = ""
        self.thread_id = ""
        self.start = datetime.now(UTC) + timedelta(minutes=30)
        self.attendee_ids: list[str] = []

    async def schedule_with_everyones_consent(self) -> None:
        start = self.start
        planned = parent_and_school_meeting(start)
        _, teams = await open_teams_meeting(
            self.meetings, COORDINATOR.object_id, planned.title, "", (start, planned.ends_at), ()
        )
        assert (await lock_down_and_confirm(self.meetings, COORDINATOR.object_id, teams.id))[0]
        await self.meetings.install_bot(teams.chat_thread_id)
        async with self.store.unit_of_work() as uow:
            row = await uow.meetings.add(planned, uow.now())
            row.teams_meeting_id, row.teams_chat_thread_id = teams.id, teams.chat_thread_id
            row.teams_settings_confirmed_at = uow.now()
            attendee_ids = [a.id for a in await uow.meetings.attendees(row.id)]
            await uow.commit()
        self.meeting_id, self.teams_id, self.thread_id = row.id, teams.id, teams.chat_thread_id
        self.attendee_ids = attendee_ids
        for attendee_id in attendee_ids:
            await reply(self.store, row.id, attendee_id, "x@example.org", received_at=start - HOUR)
        await enforce_recording(self.store, self.meetings, self.meeting_id, cause="decision")
        assert self.teams_allows_recording()

    async def parent_withdraws(self) -> None:
        """The parent withdraws consent by email; nothing has asked the gate again yet."""
        await reply(
            self.store,
            self.meeting_id,
            self.attendee_ids[0],
            "x@example.org",
            Decision.WITHDRAWN,
            received_at=self.start - HOUR / 2,
        )

    def teams_allows_recording(self) -> bool:
        meeting = self.sandbox.tenant.meetings.get(self.teams_id)
        assert meeting is not None
        return meeting.allow_recording

    async def audited(self, action: str) -> list[str]:
        async with self.store.reading() as uow:
            details = await uow.session.scalars(
                select(AuditEntryRow.detail).where(
                    AuditEntryRow.meeting_id == self.meeting_id, AuditEntryRow.action == action
                )
            )
            return list(details)

    def told_everyone(self) -> int:
        return len(self.chat.posts)


HOUR = timedelta(hours=1)
ORGANISER = TeamsPerson("29:1organiser", COORDINATOR.display_name, COORDINATOR.object_id)
PARENT_ANONYMOUSLY = TeamsPerson("29:1parent", "alex  carter")
STRANGER = TeamsPerson("29:1stranger", "Guest 4411")
COLLEAGUE = TeamsPerson("29:1colleague", ADVISER.display_name, ADVISER.object_id)


def roster_entry(person: TeamsPerson, participant_id: str, *, recording: bool) -> RosterEntry:
    return RosterEntry(participant_id, person.display_name, person.object_id, recording)
