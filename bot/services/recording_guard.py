"""Guarding recording while a meeting runs: who is present, from join events and rosters.

Teams' join and leave events and the bot's call roster both say who is in the meeting. Each
person is matched to the invited attendees (`bot.policy.participant_match`) and recorded as
present (`consent_store.presence`); the recording gate then sees them on every evaluation,
from email decisions too. After each change Teams' `allowRecording` is made to match the gate
at once (`enforce_recording`), so anyone joining who is not a consenting attendee switches
recording off.

A roster, and the join of someone not invited once the meeting is seen starting, is put to
the gate as it arrives, before it is stored (a join counts the newcomer with those the store
has as present, and the gate's facts are read in the same read that matched them), so the
switch waits for no write of theirs; once it is stored, Teams is
made to match the store again (should the gate have been asked in between). Only then is the
meeting warned (`recording_warnings`): of someone shown recording while the gate does not
permit it, or of an uninvited person joining while recording was allowed. The warnings are
given in the background, in order per meeting (`organiser_updates`), so no switch, in this
meeting or another, waits for a card, a spoken notice or a private notice; a notice that
cannot be delivered never undoes or delays the switch.

Someone joining, the first roster with anyone in it, Teams' meeting-start event and the bot's
call being established each mark the meeting's real start (`meeting_start`), if it was not
seen yet; from then on recording may be switched off but never on. If the store cannot be
read or written while a change of presence is handled, recording is switched off from what
the guard remembers of the meeting (`KnownMeetings`) and the error is raised, so the
notification is handled again once the store is back.

The organiser is told of each change of the setting by email, and privately in the chat when
recording stays off for the rest of the meeting, in the same background queue, so the call's
next roster never waits for them; `settled` waits for every notice handed off.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial

from bot.policy.participant_match import (
    InvitedAttendee,
    MatchKind,
    PersonMatch,
    SeenPerson,
    match_person,
)
from bot.policy.recording_gate import RecordingVerdict
from bot.ports.mail import Mailbox
from bot.ports.meetings import Meetings
from bot.services.live_meeting import (
    CallVoice,
    MeetingChat,
    RosterEntry,
    TeamsPerson,
)
from bot.services.meeting_start import StartSource, note_start
from bot.services.organiser_updates import OrganiserUpdates
from bot.services.recording_enforcement import MeetingRead, enforce_recording
from bot.services.recording_setting import KnownMeetings
from bot.services.recording_warnings import Arrival, RecordingWarnings
from bot.services.sight_lost import after_losing_sight
from consent_store.presence import Presence
from consent_store.unit_of_work import Store, UnitOfWork
from domain.terms import Participant


@dataclass(frozen=True, slots=True)
class _SeenRoster:
    """A call roster matched to the meeting's attendees, with what the meeting was like
    before it: its chat, its organiser, whether Teams allowed recording."""

    thread_id: str | None
    organiser_id: str
    teams_allowed_before: bool
    people: tuple[Presence, ...]
    unknown: Mapping[str, PersonMatch]
    recording_keys: tuple[str, ...]

    @property
    def present(self) -> tuple[Participant, ...]:
        """Who the gate sees in the meeting: everyone but the organising staff."""
        return tuple(Participant(p.attendee_id) for p in self.people if not p.is_staff)


def presence_key(platform_id: str, object_id: str | None) -> str:
    """How a person is kept as present: by object id when they have one (the same in join
    events and the call roster), otherwise by their `29:` id or call participant id."""
    return f"oid:{object_id.lower()}" if object_id else f"id:{platform_id}"


async def _invited(uow: UnitOfWork, meeting_id: str) -> list[InvitedAttendee]:
    return [
        InvitedAttendee(a.id, uow.decrypt(a.name_enc, "attendees", "name", a.id) or "")
        for a in await uow.meetings.attendees(meeting_id)
    ]


class RecordingGuard:
    """`MeetingEvents.participant_joined`/`participant_left` and `CallEvents.roster_changed`
    for the recording gate. `meeting_id` in the call's events is the store's meeting id."""

    def __init__(
        self,
        store: Store,
        meetings: Meetings,
        chat: MeetingChat,
        voice: CallVoice,
        *,
        bot_app_id: str,
        mailbox: Mailbox | None = None,
    ) -> None:
        self._store = store
        self._mailbox = mailbox
        self._meetings = meetings
        self._bot_app_id = bot_app_id
        self._warnings = RecordingWarnings(store, chat, voice)
        self._organiser = OrganiserUpdates(store, chat)
        self._known = KnownMeetings()
        self._started: set[str] = set()

    async def _enforce(
        self,
        meeting_id: str,
        cause: str,
        present: tuple[Participant, ...] | None = None,
        read: MeetingRead | None = None,
    ) -> RecordingVerdict:
        return await enforce_recording(
            self._store,
            self._meetings,
            meeting_id,
            cause=cause,
            mailbox=self._mailbox,
            present=present,
            read=read,
            tell_later=partial(self._organiser.tell_later, meeting_id),
            on_closed=partial(self._organiser.tell_stays_off_later, meeting_id),
        )

    async def lost_sight_of(self, meeting_id: str, regained_at: datetime) -> bool:
        """`after_losing_sight` for the meeting, telling its organiser as other changes are."""
        return await after_losing_sight(
            self._store,
            self._meetings,
            meeting_id,
            regained_at,
            mailbox=self._mailbox,
            tell_later=partial(self._organiser.tell_later, meeting_id),
            on_closed=partial(self._organiser.tell_stays_off, meeting_id),
        )

    async def _switch_off_without_store(self, meeting_id: str | None) -> None:
        if meeting_id is not None:
            await self._known.switch_off(self._meetings, meeting_id)

    async def start_seen(self, meeting_id: str, source: StartSource) -> None:
        """The meeting was seen starting (Teams' event, the bot's call): note its real start
        if it is the first, and make Teams match the gate."""
        if meeting_id in self._started:
            return
        try:
            async with self._store.unit_of_work() as uow:
                self._known.remember(await uow.meetings.get(meeting_id))
                await note_start(uow, meeting_id, source)
                await uow.commit()
        except Exception:
            await self._switch_off_without_store(meeting_id)
            raise
        self._started.add(meeting_id)
        await self._enforce(meeting_id, f"start:{source.value}")

    async def start_seen_in_chat(self, thread_id: str, source: StartSource) -> None:
        """`start_seen` for the meeting whose chat this is (nothing for an unknown chat)."""
        try:
            async with self._store.reading() as uow:
                meeting = await uow.meetings.by_chat_thread(thread_id)
        except Exception:
            await self._switch_off_without_store(self._known.in_chat(thread_id))
            raise
        if meeting is not None:
            self._known.remember(meeting)
            await self.start_seen(meeting.id, source)

    async def settled(self) -> None:
        """Wait until the notices handed off so far (the meetings' warnings, the organiser's
        emails and private notices) are given (or have failed)."""
        await self._organiser.settled()

    def _match(
        self, person: SeenPerson, organiser_id: str, invited: Sequence[InvitedAttendee]
    ) -> PersonMatch:
        return match_person(
            person, bot_app_id=self._bot_app_id, organiser_id=organiser_id, attendees=invited
        )

    async def participant_joined(self, thread_id: str, person: TeamsPerson) -> None:
        """Record them as present (their joining marks the real start, if it is the first
        start seen), and switch recording off at once if they may not be there. Someone not
        invited joining a meeting already seen starting is put to the gate before they are
        stored, as a roster is, so the switch waits for no write of theirs (only for the gate's
        closing to be noted); before the start is seen, their join is stored first, so the
        start it marks closes the gate before Teams is changed."""
        seen = SeenPerson(person.teams_id, person.display_name, person.object_id)
        try:
            async with self._store.reading() as uow:
                meeting = await uow.meetings.by_chat_thread(thread_id)
                if meeting is None:
                    return
                match = self._match(
                    seen, meeting.organiser_user_id, await _invited(uow, meeting.id)
                )
                uninvited = match.kind is MatchKind.UNKNOWN
                read = None
                if uninvited and meeting.started_at is not None:
                    present = (*await uow.presence.present(meeting.id), Participant(None))
                    read = MeetingRead(meeting, await uow.meetings.facts(meeting.id, present))
            meeting_id = meeting.id
            self._known.remember(meeting)
            if match.kind is MatchKind.BOT:
                return
            if read is not None:
                await self._enforce(meeting_id, "participant_joined", read=read)
            key = presence_key(person.teams_id, person.object_id)
            async with self._store.unit_of_work() as uow:
                presence = Presence(key, match.attendee_id, match.kind is MatchKind.ORGANISER)
                await uow.presence.joined(meeting_id, presence, uow.now())
                if meeting_id not in self._started:
                    await note_start(uow, meeting_id, StartSource.PARTICIPANT_JOINED)
                await uow.commit()
        except Exception:
            await self._switch_off_without_store(self._known.in_chat(thread_id))
            raise
        self._started.add(meeting_id)
        await self._enforce(meeting_id, "participant_joined")
        if not uninvited:
            return
        arrival = Arrival(
            meeting_id,
            meeting.teams_chat_thread_id,
            meeting.organiser_user_id,
            bool(meeting.teams_recording_allowed),
            (match,),
        )
        self._organiser.later(meeting_id, partial(self._warn_of_joining, arrival))

    async def _warn_of_joining(self, arrival: Arrival) -> None:
        await self._warnings.audit_uninvited(arrival, "meeting")
        if arrival.teams_allowed_before and await self._warnings.claim_arrival(
            arrival.meeting_id, "meeting"
        ):
            await self._warnings.give(arrival)

    async def roster_unchecked(self, meeting_id: str) -> None:
        """A roster for the meeting cannot be put to the gate (the store is down): someone
        may have joined without consent, so recording is switched off without the store."""
        await self._switch_off_without_store(meeting_id)

    async def participant_unchecked(self, thread_id: str) -> None:
        """Someone joined the meeting in this chat while the store is down: recording is
        switched off without the store, if the meeting is known."""
        await self._switch_off_without_store(self._known.in_chat(thread_id))

    async def participant_left(self, thread_id: str, person: TeamsPerson) -> None:
        """Record that they left, and make Teams' setting match the gate again."""
        async with self._store.unit_of_work() as uow:
            meeting = await uow.meetings.by_chat_thread(thread_id)
            if meeting is None:
                return
            meeting_id = meeting.id
            key = presence_key(person.teams_id, person.object_id)
            await uow.presence.left(meeting_id, key, uow.now())
            await uow.commit()
        await self._enforce(meeting_id, "participant_left")

    async def roster_changed(self, meeting_id: str, roster: Sequence[RosterEntry]) -> None:
        """Take the call's roster as who is present; switch recording off at once if the gate
        does not permit it, and if someone is recording anyway, tell the meeting (once)."""
        try:
            seen = await self._read_roster(meeting_id, roster)
            verdict = await self._enforce(meeting_id, "roster_changed", seen.present)
            changed, arrived = await self._store_roster(meeting_id, seen.people)
        except Exception:
            await self._switch_off_without_store(meeting_id)
            raise
        if changed:
            verdict = await self._enforce(meeting_id, "roster_changed")
        arrival = Arrival(
            meeting_id,
            seen.thread_id,
            seen.organiser_id,
            seen.teams_allowed_before,
            tuple(seen.unknown[p.key] for p in arrived if p.key in seen.unknown),
        )
        self._organiser.later(
            meeting_id,
            partial(self._warn_of_roster, arrival, seen.recording_keys, verdict.permitted),
        )

    async def _warn_of_roster(
        self, arrival: Arrival, recording_keys: tuple[str, ...], permitted: bool
    ) -> None:
        meeting_id = arrival.meeting_id
        await self._warnings.audit_uninvited(arrival, "call")
        if recording_keys:
            if not permitted and await self._warnings.claim_recording(meeting_id, recording_keys):
                await self._warnings.give(replace(arrival, uninvited=()))
            return
        if (
            arrival.someone_uninvited
            and arrival.teams_allowed_before
            and await self._warnings.claim_arrival(meeting_id, "call")
        ):
            await self._warnings.give(arrival)

    async def _read_roster(self, meeting_id: str, roster: Sequence[RosterEntry]) -> _SeenRoster:
        """The roster matched to the meeting's attendees, read without writing anything."""
        async with self._store.reading() as uow:
            meeting = await uow.meetings.get(meeting_id)
            invited = await _invited(uow, meeting_id)
        self._known.remember(meeting)
        people: list[Presence] = []
        unknown: dict[str, PersonMatch] = {}
        recording_keys: list[str] = []
        for entry in roster:
            seen = SeenPerson(entry.participant_id, entry.display_name, entry.object_id)
            match = self._match(seen, meeting.organiser_user_id, invited)
            if match.kind is MatchKind.BOT:
                continue
            key = presence_key(entry.participant_id, entry.object_id)
            people.append(Presence(key, match.attendee_id, match.kind is MatchKind.ORGANISER))
            if match.kind is MatchKind.UNKNOWN:
                unknown[key] = match
            if entry.recording:
                recording_keys.append(key)
        return _SeenRoster(
            meeting.teams_chat_thread_id,
            meeting.organiser_user_id,
            bool(meeting.teams_recording_allowed),
            tuple(people),
            unknown,
            tuple(recording_keys),
        )

    async def _store_roster(
        self, meeting_id: str, people: Sequence[Presence]
    ) -> tuple[bool, list[Presence]]:
        """Record `people` as exactly who is present, writing only if that changes anything
        (anyone present marks the real start, if it is the first start seen); whether it did,
        and who arrived."""
        marks_start = bool(people) and meeting_id not in self._started
        async with self._store.reading() as uow:
            if not marks_start and await uow.presence.is_exactly(meeting_id, people):
                return False, []
        async with self._store.unit_of_work() as uow:
            arrived = await uow.presence.set_exactly(meeting_id, people, uow.now())
            if marks_start:
                await note_start(uow, meeting_id, StartSource.ROSTER)
            await uow.commit()
        if marks_start:
            self._started.add(meeting_id)
        return True, arrived
