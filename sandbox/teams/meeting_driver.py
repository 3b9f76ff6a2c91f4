"""What people do in Teams, played against the bot: a live meeting made from an onlineMeeting
starts, admits participants, is recorded, has messages and files posted in its chat, and
ends; and people message the bot in a personal chat. Each step changes the sandbox's state,
sends the bot the activity Teams would, and updates the roster of the bot's calls in the
meeting.

Recording follows Teams: refused while the onlineMeeting's `allowRecording` is false, unless
`started_while_permitted` says it began while recording was still allowed (switching
`allowRecording` off later does not stop a running recording). The sandbox stops a recording
when the person who started it leaves; a stopped recording becomes a callRecording (and a
callTranscript, when the meeting allows transcription), `sandbox.recordings`.

People are named by `29:` id, object id, UPN or mail address (see `TeamsAccounts.resolve`);
an outside address joins anonymously, and `anonymous_name` admits a stranger. Who belongs to a
meeting's chat is `sandbox.teams.meeting_chat`; the driver's refusals and results are
`sandbox.teams.meeting_outcomes`.
"""

from __future__ import annotations

from typing import Any

from sandbox.calls.calling import CallingService
from sandbox.files import Grantee
from sandbox.ids import new_guid, teams_meeting_id
from sandbox.meetings import OnlineMeeting
from sandbox.teams import activities
from sandbox.teams.accounts import TeamsAccount
from sandbox.teams.bot_channel import ActivityDelivery, BotChannel
from sandbox.teams.conversations import Conversation
from sandbox.teams.live_meetings import (
    Attendance,
    LiveMeeting,
    RecordingEvent,
    invitee,
    meeting_role,
)
from sandbox.teams.meeting_chat import account_of, chat_member, graph_chat, join_chat
from sandbox.teams.meeting_outcomes import (
    Admission,
    MeetingActionError,
    PostedFile,
    RecordingRefusedError,
)
from sandbox.tenant import Tenant


class MeetingDriver:
    def __init__(self, tenant: Tenant, channel: BotChannel, calling: CallingService) -> None:
        self._tenant = tenant
        self._channel = channel
        self._calling = calling
        self.event_shapes: tuple[str, ...] = activities.MEETING_EVENT_SHAPES
        """The documented shapes of meeting start and end events, sent in turn: each meeting
        that starts takes the next, for its start and its end."""
        self._shape_turn = 0

    def create(self, online_meeting_id: str) -> LiveMeeting:
        """A live meeting for an onlineMeeting (the same one if it exists already)."""
        tenant = self._tenant
        existing = tenant.live_meetings.get(online_meeting_id)
        if existing is not None:
            return existing
        online_meeting = tenant.meetings.get(online_meeting_id)
        if online_meeting is None:
            raise MeetingActionError(404, "No onlineMeeting has that id.")
        meeting = LiveMeeting(
            online_meeting_id=online_meeting.id,
            teams_meeting_id=teams_meeting_id(online_meeting.thread_id),
            thread_id=online_meeting.thread_id,
        )
        tenant.live_meetings.add(meeting)
        return meeting

    async def start(self, online_meeting_id: str, host: str | None = None) -> Admission:
        """The meeting starts as its first participant joins (the organiser unless `host`
        names someone else): a meeting start event, then that person's join event. With
        `recordAutomatically` (and recording allowed) the host starts recording."""
        meeting, online_meeting = self._meeting(online_meeting_id, "scheduled", "ended")
        account = account_of(self._tenant, host or online_meeting.organizer_id)
        meeting.phase = "started"
        meeting.started_at = self._tenant.now()
        meeting.ended_at = None
        meeting.event_shape = self.event_shapes[self._shape_turn % len(self.event_shapes)]
        self._shape_turn += 1
        await self._send_meeting_event(
            meeting,
            activities.meeting_started(
                self._tenant,
                self._chat(meeting),
                meeting,
                online_meeting,
                account,
                meeting.event_shape,
            ),
        )
        admission = await self._admit(meeting, online_meeting, account, None)
        if online_meeting.record_automatically and online_meeting.allow_recording:
            self._record(meeting, admission.attendance, started_while_permitted=False)
        return admission

    async def admit(
        self,
        online_meeting_id: str,
        who: str | None = None,
        *,
        anonymous_name: str | None = None,
    ) -> Admission:
        """Let someone in from the lobby: a tenant account, an outside address (joining
        anonymously), or with `anonymous_name` a stranger."""
        meeting, online_meeting = self._meeting(online_meeting_id, "started")
        if who is not None:
            account = account_of(self._tenant, who)
        elif anonymous_name:
            account = self._tenant.teams_accounts.anonymous(anonymous_name)
        else:
            raise MeetingActionError(400, "Name who joins, or give a display name for a stranger.")
        present = meeting.attendance.get(account.id)
        if present is not None and present.in_meeting:
            raise MeetingActionError(409, f"{account.name} is already in the meeting.")
        address = who if who is not None and "@" in who else None
        return await self._admit(meeting, online_meeting, account, address)

    async def leave(self, online_meeting_id: str, who: str) -> ActivityDelivery:
        meeting, _ = self._meeting(online_meeting_id, "started")
        attendance = self._present(meeting, who)
        self._leave(meeting, attendance)
        self._calling.roster_changed(meeting.thread_id)
        return await self._send_meeting_event(
            meeting,
            activities.participants_changed(self._tenant, self._chat(meeting), meeting, attendance),
        )

    def start_recording(
        self, online_meeting_id: str, who: str, *, started_while_permitted: bool = False
    ) -> RecordingEvent:
        """`who`, in the meeting, starts recording it; raises `RecordingRefusedError` while
        the meeting does not allow recording."""
        meeting, online_meeting = self._meeting(online_meeting_id, "started")
        attendance = self._present(meeting, who)
        if meeting.recorder() is not None:
            raise MeetingActionError(409, "The meeting is already being recorded.")
        if not online_meeting.allow_recording and not started_while_permitted:
            meeting.recording_log.append(
                RecordingEvent(self._tenant.now(), attendance.account.id, "refused")
            )
            raise RecordingRefusedError
        return self._record(meeting, attendance, started_while_permitted=started_while_permitted)

    def stop_recording(self, online_meeting_id: str, who: str) -> RecordingEvent:
        meeting, _ = self._meeting(online_meeting_id, "started")
        attendance = self._present(meeting, who)
        recorder = meeting.recorder()
        if recorder is None:
            raise MeetingActionError(409, "The meeting is not being recorded.")
        self._recording_made(meeting, recorder)
        event = RecordingEvent(self._tenant.now(), attendance.account.id, "stopped")
        meeting.recording_log.append(event)
        self._calling.roster_changed(meeting.thread_id)
        return event

    async def say(
        self, online_meeting_id: str, who: str, text: str, *, mention_bot: bool = False
    ) -> ActivityDelivery:
        """A message in the meeting chat from one of its members; with `mention_bot`, it
        @mentions the bot."""
        meeting, _ = self._meeting(online_meeting_id, "scheduled", "started", "ended")
        account = chat_member(self._tenant, meeting, who)
        conversation = self._chat(meeting)
        activity = activities.message(self._tenant, conversation, account, text, meeting=meeting)
        if mention_bot:
            activity = activities.mention_of_bot(self._tenant, activity)
        return await self._channel.send(conversation, activity)

    async def press_card_button(
        self, online_meeting_id: str, who: str, data: dict[str, Any]
    ) -> ActivityDelivery:
        """A member of the meeting chat presses an Action.Submit button with this `data` on
        the bot's latest Adaptive Card in the chat."""
        meeting, _ = self._meeting(online_meeting_id, "started", "ended")
        account = chat_member(self._tenant, meeting, who)
        conversation = self._chat(meeting)
        cards = [
            entry
            for entry in conversation.entries
            if entry.direction == "from_bot"
            and any(
                a.get("contentType") == "application/vnd.microsoft.card.adaptive"
                for a in entry.activity.get("attachments") or ()
            )
        ]
        if not cards:
            raise MeetingActionError(409, "The bot has posted no card in the meeting chat.")
        activity = activities.card_action(
            self._tenant, conversation, account, data, cards[-1].id, meeting=meeting
        )
        return await self._channel.send(conversation, activity)

    def admit_bot(self, online_meeting_id: str) -> int:
        """Someone in the meeting admits the bot from the lobby; how many of its calls were
        waiting there."""
        meeting, _ = self._meeting(online_meeting_id, "started")
        admitted = self._calling.admit_bot(meeting.thread_id)
        if not admitted:
            raise MeetingActionError(409, "The bot is not waiting in the lobby.")
        return len(admitted)

    async def post_file(
        self,
        online_meeting_id: str,
        who: str,
        name: str,
        content: bytes,
        content_type: str = "application/octet-stream",
        text: str = "",
    ) -> PostedFile:
        """A file posted in the meeting chat: stored in the poster's OneDrive "Microsoft
        Teams Chat Files" folder, shared with the chat's members, and sent to the bot as a
        `file.download.info` attachment. Only tenant members have a OneDrive here."""
        tenant = self._tenant
        meeting, _ = self._meeting(online_meeting_id, "scheduled", "started", "ended")
        account = chat_member(self._tenant, meeting, who)
        owner = tenant.directory.user_by_object_id(account.aad_object_id or "")
        if owner is None or owner.kind != "staff":
            raise MeetingActionError(
                400, "Only members of the tenant have a OneDrive to post from."
            )
        chat = graph_chat(self._tenant, meeting)
        members = [Grantee(m.user_id, m.display_name, m.email) for m in chat.members]
        item = tenant.files.share_in_chat(owner, name, content, content_type, members, tenant.now())
        download_url = tenant.served_url(tenant.files.download_path(item))
        conversation = self._chat(meeting)
        activity = activities.message(
            tenant,
            conversation,
            account,
            text,
            meeting=meeting,
            attachments=(activities.file_attachment(item, download_url),),
        )
        return PostedFile(item, await self._channel.send(conversation, activity))

    async def end(self, online_meeting_id: str) -> ActivityDelivery:
        """Everyone leaves (leave events), the meeting end event, and the bot's calls in the
        meeting end."""
        meeting, online_meeting = self._meeting(online_meeting_id, "started")
        conversation = self._chat(meeting)
        for attendance in meeting.present():
            self._leave(meeting, attendance)
            await self._send_meeting_event(
                meeting,
                activities.participants_changed(self._tenant, conversation, meeting, attendance),
            )
        meeting.phase = "ended"
        meeting.ended_at = self._tenant.now()
        self._calling.meeting_ended(meeting.thread_id)
        organizer = account_of(self._tenant, online_meeting.organizer_id)
        return await self._send_meeting_event(
            meeting,
            activities.meeting_ended(
                self._tenant, conversation, meeting, online_meeting, organizer, meeting.event_shape
            ),
        )

    async def message_bot(self, who: str, text: str) -> ActivityDelivery:
        """A message to the bot in the person's personal chat with it (tenant accounts
        only: anonymous people cannot chat with a bot)."""
        account = account_of(self._tenant, who)
        if account.aad_object_id is None:
            raise MeetingActionError(400, "Only accounts of the tenant can chat with the bot.")
        conversation = self._tenant.conversations.personal(account.id)
        activity = activities.message(self._tenant, conversation, account, text)
        return await self._channel.send(conversation, activity)

    # --- helpers -------------------------------------------------------------------------

    def _meeting(self, online_meeting_id: str, *phases: str) -> tuple[LiveMeeting, OnlineMeeting]:
        meeting = self._tenant.live_meetings.get(online_meeting_id)
        online_meeting = self._tenant.meetings.get(online_meeting_id)
        if meeting is None or online_meeting is None:
            raise MeetingActionError(404, "No live meeting has that onlineMeeting id.")
        if meeting.phase not in phases:
            raise MeetingActionError(409, f"The meeting is {meeting.phase}.")
        return meeting, online_meeting

    def _present(self, meeting: LiveMeeting, who: str) -> Attendance:
        attendance = meeting.participant(who)
        if attendance is None or not attendance.in_meeting:
            raise MeetingActionError(409, "That person is not in the meeting.")
        return attendance

    def _chat(self, meeting: LiveMeeting) -> Conversation:
        return self._tenant.conversations.meeting_chat(meeting.thread_id)

    async def _admit(
        self,
        meeting: LiveMeeting,
        online_meeting: OnlineMeeting,
        account: TeamsAccount,
        address: str | None,
    ) -> Admission:
        invitation = invitee(online_meeting, account, address)
        attendance = Attendance(
            account=account,
            role=meeting_role(online_meeting, account, invitation),
            invited=invitation is not None or account.aad_object_id == online_meeting.organizer_id,
            joined_at=self._tenant.now(),
        )
        meeting.attendance[account.id] = attendance
        join_chat(self._tenant, meeting, account, address)
        self._calling.roster_changed(meeting.thread_id)
        delivery = await self._send_meeting_event(
            meeting,
            activities.participants_changed(self._tenant, self._chat(meeting), meeting, attendance),
        )
        return Admission(attendance, delivery)

    def _leave(self, meeting: LiveMeeting, attendance: Attendance) -> None:
        now = self._tenant.now()
        if attendance.recording_since is not None:
            self._recording_made(meeting, attendance)
            meeting.recording_log.append(RecordingEvent(now, attendance.account.id, "stopped"))
        attendance.left_at = now

    def _recording_made(self, meeting: LiveMeeting, recorder: Attendance) -> None:
        """The recording stops: Teams makes its callRecording (and callTranscript)."""
        started, recorder.recording_since = recorder.recording_since, None
        online_meeting = self._tenant.meetings.get(meeting.online_meeting_id)
        if started is None or online_meeting is None:
            return
        self._tenant.recordings.made(
            meeting_id=online_meeting.id,
            organizer_id=online_meeting.organizer_id,
            tenant_id=self._tenant.tenant_id,
            call_id=new_guid(),
            started_at=started,
            ended_at=self._tenant.now(),
            transcribed=online_meeting.allow_transcription,
        )

    def _record(
        self, meeting: LiveMeeting, attendance: Attendance, *, started_while_permitted: bool
    ) -> RecordingEvent:
        now = self._tenant.now()
        attendance.recording_since = now
        event = RecordingEvent(now, attendance.account.id, "started", started_while_permitted)
        meeting.recording_log.append(event)
        self._calling.roster_changed(meeting.thread_id)
        return event

    async def _send_meeting_event(
        self, meeting: LiveMeeting, activity: dict[str, Any]
    ) -> ActivityDelivery:
        return await self._channel.send(self._chat(meeting), activity)
