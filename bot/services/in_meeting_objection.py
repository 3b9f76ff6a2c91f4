"""Objections to recording made in the meeting, and other words written to the bot there.

Anyone in a meeting can object to it being recorded: by writing "stop recording" or "I do not
agree to recording" to the bot in the meeting chat, or with the button on the opening card
(`bot.policy.objection` decides what counts). An objection:

1. closes recording for the rest of the meeting (`close_recording_for_good`, the gate's
   `CLOSED_SINCE_START`), and, when the writer is an invited attendee, is recorded as their
   refusal of recording (a `refused` decision, never consent); both are audited
   (`recording.objection`), in one transaction;
2. switches Teams' `allowRecording` off at once and reads it back (`enforce_recording`; a
   change Teams does not confirm is left to the durable reconcile job);
3. tells the organiser privately, and everyone in the chat (the handler's reply); when the
   service user joins by phone (the meeting's individual needs), the call hears it too
   (`phone_notices`: best effort, after the switch, and the chat is told all the same).

If the store cannot take the objection, recording is switched off from what the recording
guard remembers of the meeting (`switch_off_without_store`, the guard's `KnownMeetings`) and
the error is raised, so Teams delivers the message again and it is recorded once the store is
back.

Other words written to the bot (not an objection, not a staff command) go to staff as a
question: the organiser is told privately that someone wrote to the bot and should be
answered (the words stay in the chat, where the organiser can read them; they are not copied
or logged), the question is audited and counted, and the writer is told it was passed on.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final

from bot.announcement.wording import chat_text, spoken_text
from bot.config import ServiceProfile
from bot.policy.participant_match import InvitedAttendee, MatchKind, SeenPerson, match_person
from bot.ports.failures import CHAT_FAILURES
from bot.ports.mail import Mailbox
from bot.ports.meetings import Meetings
from bot.services.live_meeting import CallVoice, MeetingChat, ObjectionSource, TeamsPerson
from bot.services.phone_notices import say_for_phone
from bot.services.recording_enforcement import enforce_recording
from consent_store.audit import AuditEvent
from consent_store.needs import needs_of
from consent_store.records import NewDecision
from consent_store.unit_of_work import Store
from domain.terms import AuthVerdict, Decision, Topic

log = logging.getLogger(__name__)

OBJECTION_DECIDED_BY: Final = "meeting_objection"
"""`decided_by` of the refusal an objection in the meeting records."""
OBJECTION_CAUSE: Final = "objection"

chat_words_seen: Counter[str] = Counter()
"""Messages to the bot in meeting chats, by what was done with them (for logs and tests)."""


SwitchOff = Callable[[str], Awaitable[None]]
"""Switches the recording of the meeting in this chat off without the store."""


@dataclass(frozen=True, slots=True)
class _Objected:
    """The meeting an objection was recorded for: who to tell, and how."""

    meeting_id: str
    organiser_id: str
    joins_by_phone: bool


class InMeetingObjections:
    """Objections and questions written to the bot in a meeting chat."""

    def __init__(
        self,
        store: Store,
        meetings: Meetings,
        chat: MeetingChat,
        service: ServiceProfile,
        *,
        bot_app_id: str,
        switch_off_without_store: SwitchOff,
        mailbox: Mailbox | None = None,
        voice: CallVoice | None = None,
    ) -> None:
        self._store = store
        self._meetings = meetings
        self._chat = chat
        self._service = service
        self._bot_app_id = bot_app_id
        self._switch_off_without_store = switch_off_without_store
        self._mailbox = mailbox
        self._voice = voice

    async def objected(self, thread_id: str, person: TeamsPerson, source: ObjectionSource) -> str:
        """Someone in the meeting objected to recording: switch it off for the rest of the
        meeting, record the refusal, tell the organiser; the reply for the chat."""
        try:
            recorded = await self._record_objection(thread_id, person, source)
        except Exception:
            chat_words_seen["objection_without_store"] += 1
            await self._switch_off_without_store(thread_id)
            raise
        if recorded is None:
            chat_words_seen["objection_unknown_chat"] += 1
            log.warning("an objection to recording came from a chat with no meeting of ours")
            return chat_text("objection_no_meeting", {})
        meeting_id = recorded.meeting_id
        chat_words_seen["objection"] += 1
        await enforce_recording(
            self._store, self._meetings, meeting_id, cause=OBJECTION_CAUSE, mailbox=self._mailbox
        )
        async with self._store.reading() as uow:
            switched_off = (await uow.meetings.get(meeting_id)).teams_recording_allowed is False
        notice = chat_text("objection_organiser_notice", {"switched_off": switched_off})
        await self._tell_organiser(
            meeting_id, thread_id, recorded.organiser_id, notice, "objection"
        )
        if recorded.joins_by_phone:
            spoken = spoken_text("objection_received", {})
            await say_for_phone(self._voice, meeting_id, spoken, notice="objection")
        return chat_text("objection_received", {})

    async def _record_objection(
        self, thread_id: str, person: TeamsPerson, source: ObjectionSource
    ) -> _Objected | None:
        async with self._store.unit_of_work() as uow:
            meeting = await uow.meetings.by_chat_thread(thread_id)
            if meeting is None:
                return None
            now = uow.now()
            seen = SeenPerson(person.teams_id, person.display_name, person.object_id)
            match = match_person(
                seen,
                bot_app_id=self._bot_app_id,
                organiser_id=meeting.organiser_user_id,
                attendees=[
                    InvitedAttendee(a.id, uow.decrypt(a.name_enc, "attendees", "name", a.id) or "")
                    for a in await uow.meetings.attendees(meeting.id)
                ],
            )
            if match.kind is MatchKind.ATTENDEE and match.attendee_id is not None:
                await uow.meetings.add_decision(
                    NewDecision(
                        meeting_id=meeting.id,
                        attendee_id=match.attendee_id,
                        topic=Topic.RECORDING,
                        decision=Decision.REFUSED,
                        received_at=now,
                        auth=AuthVerdict.NONE,
                        sender_matches=False,
                        decided_by=OBJECTION_DECIDED_BY,
                    ),
                    now,
                )
            first = await uow.meetings.close_recording_for_good(meeting.id, now, ())
            await uow.audit(
                AuditEvent(
                    "recording.objection",
                    meeting_id=meeting.id,
                    detail={
                        "source": source.value,
                        "by": match.kind.value,
                        "recorded_as": "refusal",
                        "refusal_recorded": match.kind is MatchKind.ATTENDEE,
                        "closed_now": first,
                    },
                )
            )
            await uow.commit()
            return _Objected(
                meeting.id, meeting.organiser_user_id, needs_of(uow, meeting).joins_by_phone
            )

    async def asked(self, thread_id: str) -> str:
        """Someone wrote to the bot in the meeting chat with words it does not act on: pass
        them to staff (the organiser, privately); the reply for the chat."""
        async with self._store.unit_of_work() as uow:
            meeting = await uow.meetings.by_chat_thread(thread_id)
            if meeting is not None:
                await uow.audit(AuditEvent("meeting.chat_question", meeting_id=meeting.id))
            await uow.commit()
        if meeting is None:
            chat_words_seen["question_unknown_chat"] += 1
            log.warning("a message to the bot came from a chat with no meeting of ours")
            return chat_text("chat_question_no_meeting", {"service": self._service})
        chat_words_seen["question"] += 1
        await self._tell_organiser(
            meeting.id,
            thread_id,
            meeting.organiser_user_id,
            chat_text("chat_question_notice", {}),
            "question",
        )
        return chat_text("chat_question_reply", {"service": self._service})

    async def _tell_organiser(
        self, meeting_id: str, thread_id: str, organiser_id: str, text: str, notice: str
    ) -> None:
        """The organiser's private notice; one that cannot be delivered is audited."""
        try:
            await self._chat.notify_privately(thread_id, (organiser_id,), text)
        except CHAT_FAILURES as error:
            async with self._store.unit_of_work() as uow:
                await uow.audit(
                    AuditEvent(
                        "meeting.notice_failed",
                        meeting_id=meeting_id,
                        detail={"notice": notice, "error": type(error).__name__},
                    )
                )
                await uow.commit()
