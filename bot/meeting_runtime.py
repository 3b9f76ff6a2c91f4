"""The bot inside meetings while it runs: the Teams endpoint (`/api/messages`), the calling
endpoint (`/api/calls`) and the prompts it serves (`/prompts/`), connected to the in-meeting
use cases (opening the meeting, the recording guard, the document guard).

The endpoints are routed when the application is built, but the use cases need the bot's
Graph clients, which open when it starts (`bot.mailbox.runtime` opens them). `LiveMeetings`
stands between the two. What Teams tells it about meetings goes into the activity inbox
(`bot.meeting_inbox`) and Teams is answered; the inbox hands each activity to the use cases
once they are connected, giving way to the requests the bot is answering (`bot.foreground`).
Graph's calls notifications go into the calls inbox (`bot.calling.inbox`) likewise, and are
handled once the use cases are connected; so do the rosters the bot asks Graph for
(`bot.calling.resync`), in case a notification was lost. A staff member's `share` command
cannot wait, so it is refused until then and Teams delivers it again; no event is lost or
decided without the gates.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from aiohttp import web
from aiohttp.typedefs import Handler as AioHandler
from aiohttp.typedefs import Middleware

from bot.agent.endpoint import API_PREFIX, MESSAGES_PATH, attach_bot_endpoint
from bot.calling.endpoint import attach_calling
from bot.calling.inbox import CallNotificationInbox
from bot.calling.notifications import ReceivedNotice
from bot.calling.prompts import PromptShelf, attach_prompts
from bot.calling.resync import RosterResync
from bot.calling.tokens import CallingTokenValidator
from bot.calling.voice import MeetingCallVoice
from bot.config import ServiceProfile, TenantSettings
from bot.foreground import Foreground
from bot.graph.calls import CALLBACK_PATH
from bot.graph.tenant import TenantClients
from bot.meeting_inbox import MeetingActivityInbox
from bot.scheduler.runner import Handler
from bot.services.document_guard import DocumentGuard
from bot.services.in_meeting_objection import InMeetingObjections
from bot.services.live_meeting import (
    MeetingChat,
    ObjectionSource,
    PostedFile,
    RosterEntry,
    TeamsPerson,
)
from bot.services.meeting_activity import (
    FilePosted,
    MeetingActivity,
    MeetingEnded,
    MeetingStarted,
    ParticipantJoined,
    ParticipantLeft,
)
from bot.services.meeting_opening import MeetingOpening
from bot.services.meeting_start import StartSource
from bot.services.meeting_watch import MeetingWatch
from bot.services.recording_guard import RecordingGuard
from bot.services.stays_off_notice import stays_off_handlers
from bot.speech.backend import SpeechBackend
from consent_store.readiness import STORE_FAILURES
from consent_store.unit_of_work import Store

log = logging.getLogger(__name__)


class NotConnected(Exception):
    """A staff command needing the use cases arrived before the bot's Graph clients opened."""


@dataclass(frozen=True)
class _StartSeenFirst:
    """The call's lifecycle for the calls inbox: the bot's call established marks the
    meeting's real start (the recording guard) before the opening statement."""

    guard: RecordingGuard
    opening: MeetingOpening

    async def call_established(self, meeting_id: str, call_id: str) -> None:
        await self.guard.start_seen(meeting_id, StartSource.CALL_ESTABLISHED)
        await self.opening.call_established(meeting_id, call_id)


@dataclass(frozen=True)
class _RostersSeen:
    """The call's rosters for the calls inbox: the recording guard first, then the opening
    (people who joined after the opening statement hear a short version)."""

    guard: RecordingGuard
    opening: MeetingOpening

    async def roster_changed(self, meeting_id: str, roster: Sequence[RosterEntry]) -> None:
        await self.guard.roster_changed(meeting_id, roster)
        await self.opening.roster_changed(meeting_id, roster)

    async def roster_unchecked(self, meeting_id: str) -> None:
        await self.guard.roster_unchecked(meeting_id)


@dataclass(frozen=True)
class _UseCases:
    opening: MeetingOpening
    guard: RecordingGuard
    documents: DocumentGuard
    rosters: RosterResync
    watch: MeetingWatch
    objections: InMeetingObjections


TEAMS_PATHS: Final = frozenset({API_PREFIX + MESSAGES_PATH, CALLBACK_PATH})
"""Where Teams and Graph send what happens in meetings (activities, call notifications)."""


def refusals_heard(on_refused: Callable[[], None]) -> Middleware:
    """An aiohttp middleware calling `on_refused` whenever a request to `TEAMS_PATHS` is
    answered 5xx or fails: what it said may never be sent again, wherever the refusal came
    from (the store, the SDK's own handling, the calling service's keys)."""

    @web.middleware
    async def refusals(request: web.Request, handler: AioHandler) -> web.StreamResponse:
        heard = request.path in TEAMS_PATHS
        try:
            response = await handler(request)
        except web.HTTPException as answer:
            if heard and answer.status >= 500:
                on_refused()
            raise
        except Exception:
            if heard:
                on_refused()
            raise
        if heard and response.status >= 500:
            on_refused()
        return response

    return refusals


class LiveMeetings:
    """The `MeetingEvents`, `DocumentEvents` and calls inbox the endpoints are given: meeting
    events go through the activity inbox, and from it to the use cases once `connect` has run."""

    def __init__(
        self,
        store: Store,
        tenant: TenantSettings,
        service: ServiceProfile,
        worker_id: str,
        speech: SpeechBackend,
    ) -> None:
        self._store = store
        self._tenant = tenant
        self._service = service
        self._worker_id = worker_id
        self._shelf = PromptShelf(speech, tenant.public_url, store.cipher)
        self._chat: MeetingChat | None = None
        self._connected: _UseCases | None = None
        self._foreground = Foreground()
        self._activities = MeetingActivityInbox(store, worker_id, foreground=self._foreground)
        self._calls = CallNotificationInbox(store, worker_id)
        self._watch: MeetingWatch | None = None

    def attach(self, app: web.Application) -> None:
        """Route `/api/messages`, `/api/calls` and `/prompts/` on `app`, and count every
        request `app` answers, so the inbox gives way to them. `ValueError` names a missing
        tenant setting."""
        self._chat = attach_bot_endpoint(
            app,
            self._store,
            self._tenant,
            self._service,
            meeting_events=self,
            document_events=self,
            chat_words=self,
        )
        validator = CallingTokenValidator(
            self._tenant.bot_app_id,
            self._tenant.calling_openid_url,
            self._tenant.tenant_id,
        )
        attach_calling(app, validator, self)
        attach_prompts(app, self._shelf)
        app.middlewares.insert(0, self._foreground.middleware())
        app.middlewares.insert(0, refusals_heard(self._refused))

    def connect(self, clients: TenantClients) -> Mapping[str, Handler]:
        """Build the use cases over the open Graph clients; returns the handlers of the timed
        jobs they add (the meeting's opening, the notice that recording stays off)."""
        if self._chat is None or clients.calls is None or clients.files is None:
            raise ValueError("the bot's endpoints or Graph clients are missing")
        voice = MeetingCallVoice(self._store, clients.calls, self._shelf, self._calls.prompt_turns)
        opening = MeetingOpening(
            self._store,
            clients.calls,
            self._chat,
            voice,
            self._service,
            worker_id=self._worker_id,
            bot_app_id=self._tenant.bot_app_id,
        )
        guard = RecordingGuard(
            self._store,
            clients.meetings,
            self._chat,
            voice,
            bot_app_id=self._tenant.bot_app_id,
            mailbox=clients.mailbox,
        )
        documents = DocumentGuard(self._store, clients.files, self._chat, voice)
        rosters = RosterResync(self._store, clients.calls, self._calls)
        objections = InMeetingObjections(
            self._store,
            clients.meetings,
            self._chat,
            self._service,
            bot_app_id=self._tenant.bot_app_id,
            switch_off_without_store=guard.participant_unchecked,
            mailbox=clients.mailbox,
            voice=voice,
        )
        watch = MeetingWatch(self._store, guard.lost_sight_of)
        self._watch = watch
        self._connected = _UseCases(opening, guard, documents, rosters, watch, objections)
        self._activities.start(self)
        self._calls.start(_StartSeenFirst(guard, opening), _RostersSeen(guard, opening))
        rosters.start()
        watch.start()
        return {**opening.job_handlers(), **stays_off_handlers(self._store, self._chat)}

    async def disconnect(self) -> None:
        connected, self._connected = self._connected, None
        if connected is not None:
            await connected.rosters.stop()
            await connected.watch.stop()
            await self._activities.stop()
            await self._calls.close()
            await connected.guard.settled()
            await connected.opening.settled()

    def _use_cases(self) -> _UseCases:
        if self._connected is None:
            raise NotConnected("the bot's Graph clients are not open yet")
        return self._connected

    def _refused(self) -> None:
        """Something Teams or Graph sent was refused: the meeting watch hears that sight was
        lost."""
        if self._watch is not None:
            self._watch.lost_sight()

    async def meeting_started(self, thread_id: str) -> None:
        await self._activities.accept(thread_id, MeetingStarted())

    async def meeting_ended(self, thread_id: str) -> None:
        await self._activities.accept(thread_id, MeetingEnded())

    async def participant_joined(self, thread_id: str, person: TeamsPerson) -> None:
        """Into the inbox; if the store cannot take it, the join cannot be put to the gate,
        so the meeting's recording is switched off without the store (and Teams is refused,
        to deliver it again)."""
        try:
            await self._activities.accept(thread_id, ParticipantJoined(person))
        except STORE_FAILURES:
            if self._connected is not None:
                await self._connected.guard.participant_unchecked(thread_id)
            raise

    async def participant_left(self, thread_id: str, person: TeamsPerson) -> None:
        await self._activities.accept(thread_id, ParticipantLeft(person))

    async def file_posted(self, thread_id: str, poster: TeamsPerson, file: PostedFile) -> None:
        await self._activities.accept(thread_id, FilePosted(poster, file))

    async def handle(self, thread_id: str, activity: MeetingActivity) -> None:
        """One activity from the inbox, to its use case."""
        use_cases = self._use_cases()
        match activity:
            case MeetingStarted():
                await use_cases.guard.start_seen_in_chat(thread_id, StartSource.TEAMS_EVENT)
                await use_cases.opening.meeting_started(thread_id)
            case MeetingEnded():
                await use_cases.opening.meeting_ended(thread_id)
            case ParticipantJoined(person):
                await use_cases.guard.participant_joined(thread_id, person)
                await use_cases.opening.participant_joined(thread_id, person)
            case ParticipantLeft(person):
                await use_cases.guard.participant_left(thread_id, person)
            case FilePosted(poster, file):
                await use_cases.documents.file_posted(thread_id, poster, file)

    async def share_requested(self, thread_id: str, requester: TeamsPerson, wanted: str) -> str:
        return await self._use_cases().documents.share_requested(thread_id, requester, wanted)

    async def objected(self, thread_id: str, person: TeamsPerson, source: ObjectionSource) -> str:
        return await self._use_cases().objections.objected(thread_id, person, source)

    async def asked(self, thread_id: str) -> str:
        return await self._use_cases().objections.asked(thread_id)

    async def accept(self, notices: Sequence[ReceivedNotice]) -> None:
        await self._calls.accept(notices)

    async def close(self) -> None:
        await self.disconnect()
