"""Opening a meeting: the bot joins its call and states the staff member's role.

The bot joins at the start time (the `meeting_join` job) or when Teams says the meeting
started, whichever comes first, once: the Teams event makes the same job due at once and runs
it, and the job runner's claim lets one run, on one instance, at a time; a job that joined is
done and never runs again, and a run finding the bot already in the call does nothing. A
cancelled meeting is never joined. If Graph fails, the meeting is marked as needing attention,
the failure audited, and the runner retries the job later.

When the call is established the opening statement is made once per call (claimed in the
store), and not in a second live call into the same meeting: an instance that stops after
Graph placed the call and before the store recorded it leaves the job to be retried once its
claim runs out, and Graph's notifications for the call record it from its meeting chat, so the
retry finds the bot in the call; if they come after the retry placed another call, that call
says nothing: spoken in the call, and as a card in the meeting chat. If staff declared "support and
contribute" but not every service user agreed beforehand, the organiser alone gets a private
notice saying so. A card or notice that cannot be delivered is not tried again: the meeting is
marked as needing attention and the failure audited. When the meeting ends the bot hangs up
and the call is marked ended.

The bot waits in the lobby like anyone else: the meeting lets only its organiser in directly
(`lobbyBypassSettings.scope` "organizer"), so Teams may keep the bot's call establishing
until someone admits it. The statement is made when Graph reports the call established, so
after admission. Joining queues a durable `LOBBY_CHECK` job a minute after the start (or
after the join, when later): if the bot's call is still not established then, the organiser
gets a private message that the bot is in the lobby (retried by the job runner until it is
delivered); audited either way.

Someone joining after the statement was made (the organiser and the bot aside) hears a short
version of it, spoken in the call (people who join by phone cannot see the chat) and posted
in the chat. The first call roster after the statement says who heard it; anyone new after
that, in a join event or a roster (people joining by phone may have no join event), is a
latecomer. People joining within `latecomer_pause` of each other are told together, once,
and each person once per meeting (kept in memory: after a restart the next roster is taken as
who heard it).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from datetime import timedelta
from functools import partial
from typing import Final

from bot.announcement.opening import compose_announcement
from bot.announcement.spoken_forms import speakable, speakable_name
from bot.announcement.wording import chat_text, spoken_text
from bot.config import ServiceProfile
from bot.policy.participant_match import BOT_ID_PREFIX
from bot.policy.recording_gate import evaluate_recording
from bot.policy.role_statement import decide_role
from bot.ports.call_ids import normalise_call_id
from bot.ports.calls import CallNotPlaced, Calls
from bot.ports.failures import CHAT_FAILURES, GRAPH_FAILURES
from bot.scheduler.failures import JobFailed
from bot.scheduler.runner import Handler, JobRunner
from bot.services.live_meeting import (
    CallVoice,
    MeetingChat,
    RosterEntry,
    TeamsPerson,
)
from bot.services.timed_work import JOIN, join_job_key
from consent_store.audit import AuditEvent
from consent_store.calls import TERMINATED
from consent_store.jobs import ClaimedJob
from consent_store.needs import needs_of, supporter_attending
from consent_store.unit_of_work import Store, UnitOfWork
from domain.terms import DeclaredRole

log = logging.getLogger(__name__)

JOIN_FAILED: Final = "call_not_joined"
ANNOUNCEMENT_FAILED: Final = "announcement_not_made"
JOIN_LEASE: Final = timedelta(minutes=2)
LOBBY_CHECK: Final = "meeting_lobby_check"
LOBBY_GRACE: Final = timedelta(minutes=1)
"""How long after the start (or the join, when later) the bot may wait in the lobby before
the organiser is told."""
LATECOMER_PAUSE: Final = 3.0
"""Seconds to wait after someone joins late for others joining with them, so that several
people joining at once hear the short statement once."""


def lobby_check_key(meeting_id: str) -> str:
    """The key of the job that tells the organiser if the bot is still in the lobby."""
    return f"lobby:{meeting_id}"


class MeetingOpening:
    """Joining the meeting's call at its start, and the opening statement once it is
    established. `worker_id` names this instance in job claims (unique per instance)."""

    def __init__(
        self,
        store: Store,
        calls: Calls,
        chat: MeetingChat,
        voice: CallVoice,
        service: ServiceProfile,
        *,
        worker_id: str,
        bot_app_id: str = "",
        latecomer_pause: float = LATECOMER_PAUSE,
    ) -> None:
        self._store = store
        self._bot_app_id = bot_app_id.lower()
        self._latecomer_pause = latecomer_pause
        self._greeted: dict[str, set[str]] = {}
        self._baseline: set[str] = set()
        self._waiting: dict[str, set[str]] = {}
        self._telling: dict[str, asyncio.Task[None]] = {}
        self._calls = calls
        self._chat = chat
        self._voice = voice
        self._service = service
        self._runner = JobRunner(
            store,
            self.job_handlers(),
            f"{worker_id}:opening"[:64],
            JOIN_LEASE,
            JOIN_LEASE,
            clock=store.clock,
        )

    def job_handlers(self) -> Mapping[str, Handler]:
        """The handlers for the `meeting_join` and `meeting_lobby_check` job kinds, for the
        bot's job runner."""
        return {JOIN: self._join_job, LOBBY_CHECK: self._lobby_check_job}

    async def meeting_started(self, thread_id: str) -> None:
        """Teams says the meeting in chat `thread_id` started: join now if not joined yet."""
        async with self._store.unit_of_work() as uow:
            meeting = await uow.meetings.by_chat_thread(thread_id)
            if meeting is None:
                return
            if meeting.status == "cancelled":
                await _audit_skipped(uow, meeting.id, "cancelled")
                await uow.commit()
                return
            jobs, key, now = uow.jobs, join_job_key(meeting.id), uow.now()
            await jobs.schedule(key, JOIN, now, meeting.id)
            await jobs.reschedule(key, now)
            await uow.audit(AuditEvent("meeting.start_seen", meeting_id=meeting.id))
            await uow.commit()
        await self._runner.run_once()

    async def meeting_ended(self, thread_id: str) -> None:
        """Teams says the meeting ended: leave its call and mark the call ended."""
        async with self._store.unit_of_work() as uow:
            meeting = await uow.meetings.by_chat_thread(thread_id)
            if meeting is None:
                return
            meeting_id = meeting.id
            await uow.jobs.cancel_for_meeting(meeting_id, uow.now(), kinds=(JOIN,))
            live = await uow.calls.live_calls(meeting_id)
            await uow.commit()
        failures = []
        for call_id in live:
            try:
                await self._calls.hang_up(call_id)
            except GRAPH_FAILURES as failure:
                failures.append(type(failure).__name__)
        async with self._store.unit_of_work() as uow:
            records = uow.calls
            for call_id in live:
                await records.advance(call_id, TERMINATED, uow.now())
            await uow.audit(
                AuditEvent(
                    "meeting.ended",
                    meeting_id=meeting_id,
                    detail={"calls_left": len(live), "hang_up_errors": ",".join(failures)},
                )
            )
            await uow.commit()

    async def call_established(self, meeting_id: str, call_id: str) -> None:
        """The bot is in the meeting's call: make the opening statement, once per call."""
        async with self._store.unit_of_work() as uow:
            if not await uow.calls.claim_announcement(call_id, uow.now()):
                return
            meeting = await uow.meetings.get(meeting_id)
            facts = await uow.meetings.facts(meeting_id)
            staff_name = uow.decrypt(meeting.staff_name_enc, "meetings", "staff_name", meeting_id)
            supporter = supporter_attending(
                uow, needs_of(uow, meeting), await uow.meetings.attendees(meeting_id)
            )
            thread_id, organiser_id = meeting.teams_chat_thread_id, meeting.organiser_user_id
            if not staff_name or thread_id is None:
                meeting.needs_attention = ANNOUNCEMENT_FAILED
                await uow.audit(
                    AuditEvent(
                        "meeting.announcement_failed",
                        meeting_id=meeting_id,
                        detail={"call": call_id, "reason": "no_staff_name"},
                    )
                )
            await uow.commit()
        if not staff_name or thread_id is None:
            return
        role = decide_role(facts)
        recording = evaluate_recording(facts)
        announcement = compose_announcement(
            self._service,
            staff_name,
            role,
            recording_permitted=recording.permitted,
            documents_proposed=bool(facts.documents),
            supporter_roles=(supporter.role,) if supporter else (),
        )
        await self._voice.say(meeting_id, announcement.spoken)
        summary = chat_text(
            "announcement_summary", {"staff_name": staff_name, "service": self._service}
        )
        undelivered: dict[str, str] = {}
        try:
            await self._chat.post(thread_id, summary, announcement.card.content)
        except CHAT_FAILURES as failure:
            undelivered["card"] = type(failure).__name__
        if announcement.staff_notice is not None:
            try:
                await self._chat.notify_privately(
                    thread_id, (organiser_id,), announcement.staff_notice
                )
            except CHAT_FAILURES as failure:
                undelivered["staff"] = type(failure).__name__
        async with self._store.unit_of_work() as uow:
            if undelivered:
                (await uow.meetings.get(meeting_id)).needs_attention = ANNOUNCEMENT_FAILED
                await uow.audit(
                    AuditEvent(
                        "meeting.announcement_failed",
                        meeting_id=meeting_id,
                        detail={
                            "call": call_id,
                            "reason": "not_delivered",
                            "notices": sorted(undelivered),
                            "errors": sorted(set(undelivered.values())),
                        },
                    )
                )
            await uow.audit(
                AuditEvent(
                    "meeting.announced",
                    meeting_id=meeting_id,
                    detail={
                        "call": call_id,
                        "role": role.effective.value,
                        "role_reasons": ",".join(sorted({r.code.value for r in role.reasons})),
                        "recording_permitted": recording.permitted,
                        "documents_proposed": bool(facts.documents),
                        "staff_notified": announcement.staff_notice is not None,
                        "supporter_named": supporter is not None,
                    },
                )
            )
            await uow.commit()

    async def _join_job(self, job: ClaimedJob) -> None:
        if job.meeting_id is not None:
            await self.join(job.meeting_id)

    async def join(self, meeting_id: str) -> None:
        """Join the meeting's call unless it is cancelled or the bot is in it already.
        Graph failures are audited and raised, so the job runner retries."""
        async with self._store.reading() as uow:
            meeting = await uow.meetings.get(meeting_id)
            live = await uow.calls.live_calls(meeting_id)
        if live:
            return
        thread_id, organiser_id = meeting.teams_chat_thread_id, meeting.organiser_user_id
        if meeting.status == "cancelled" or thread_id is None:
            async with self._store.unit_of_work() as uow:
                reason = "cancelled" if meeting.status == "cancelled" else "no_teams_meeting"
                await _audit_skipped(uow, meeting_id, reason)
                await uow.commit()
            return
        try:
            call_id = normalise_call_id(await self._calls.join(thread_id, organiser_id))
        except (CallNotPlaced, *GRAPH_FAILURES) as failure:
            async with self._store.unit_of_work() as uow:
                (await uow.meetings.get(meeting_id)).needs_attention = JOIN_FAILED
                await uow.audit(
                    AuditEvent(
                        "meeting.join_failed",
                        meeting_id=meeting_id,
                        detail={"error": type(failure).__name__},
                    )
                )
                await uow.commit()
            if isinstance(failure, CallNotPlaced):
                raise JobFailed("Graph returned no call id") from None
            raise
        async with self._store.unit_of_work() as uow:
            now = uow.now()
            await uow.calls.record(call_id, meeting_id, now)
            row = await uow.meetings.get(meeting_id)
            if row.needs_attention == JOIN_FAILED:
                row.needs_attention = None
            await uow.jobs.requeue(
                lobby_check_key(meeting_id),
                LOBBY_CHECK,
                max(now, row.starts_at) + LOBBY_GRACE,
                meeting_id,
            )
            await uow.audit(
                AuditEvent("meeting.joined", meeting_id=meeting_id, detail={"call": call_id})
            )
            await uow.commit()

    async def _lobby_check_job(self, job: ClaimedJob) -> None:
        if job.meeting_id is not None:
            await self.check_lobby(job.meeting_id)

    async def check_lobby(self, meeting_id: str) -> None:
        """If the bot's call into the meeting is still waiting (not established) a minute
        after the start, tell the organiser privately that it is in the lobby. A message
        that cannot be delivered raises `JobFailed`, so the runner tries again."""
        async with self._store.reading() as uow:
            meeting = await uow.meetings.get(meeting_id)
            calls = uow.calls
            waiting = bool(await calls.live_calls(meeting_id))
            admitted = await calls.established_call(meeting_id) is not None
        thread_id = meeting.teams_chat_thread_id
        if admitted or not waiting or meeting.status == "cancelled" or thread_id is None:
            return
        text = chat_text("bot_in_lobby_notice", {})
        try:
            await self._chat.notify_privately(thread_id, (meeting.organiser_user_id,), text)
        except CHAT_FAILURES as failure:
            async with self._store.unit_of_work() as uow:
                await uow.audit(
                    AuditEvent(
                        "meeting.lobby_notice_failed",
                        meeting_id=meeting_id,
                        detail={"error": type(failure).__name__},
                    )
                )
                await uow.commit()
            raise JobFailed("the organiser could not be told the bot is in the lobby") from None
        async with self._store.unit_of_work() as uow:
            await uow.audit(AuditEvent("meeting.bot_in_lobby", meeting_id=meeting_id))
            await uow.commit()

    def _latecomer_key(self, object_id: str | None, display_name: str) -> str | None:
        """How a person is known for the short statement (None for the bot itself): by
        object id, else (anonymous joiners, who have different ids in join events and call
        rosters) by display name."""
        if object_id:
            oid = object_id.lower()
            return None if oid == self._bot_app_id else f"oid:{oid}"
        return f"name:{' '.join(display_name.casefold().split())}"

    async def participant_joined(self, thread_id: str, person: TeamsPerson) -> None:
        """Someone joined (Teams' join event): if the opening statement was already made and
        they have not heard the short version yet, tell them (with others joining meanwhile)."""
        if person.teams_id.startswith(BOT_ID_PREFIX):
            return
        key = self._latecomer_key(person.object_id, person.display_name)
        async with self._store.reading() as uow:
            meeting = await uow.meetings.by_chat_thread(thread_id)
        if meeting is not None and key is not None:
            await self._arrived(meeting.id, [key])

    async def roster_changed(self, meeting_id: str, roster: Sequence[RosterEntry]) -> None:
        """The call's roster: people who joined without a join event (by phone, say) are
        latecomers too."""
        keys = [self._latecomer_key(entry.object_id, entry.display_name) for entry in roster]
        await self._arrived(meeting_id, [key for key in keys if key is not None], roster=True)

    async def _arrived(self, meeting_id: str, keys: Sequence[str], *, roster: bool = False) -> None:
        """`keys` are in the meeting. The first roster after the statement is who heard it
        (this instance's baseline); anyone else new is a latecomer."""
        greeted = self._greeted.setdefault(meeting_id, set())
        new = [key for key in keys if key not in greeted]
        if not new and (not roster or meeting_id in self._baseline):
            return
        async with self._store.reading() as uow:
            meeting = await uow.meetings.get(meeting_id)
            announced = await uow.calls.announced_in(meeting_id)
        thread_id = meeting.teams_chat_thread_id
        if not announced or thread_id is None:
            return
        if roster and meeting_id not in self._baseline:
            self._baseline.add(meeting_id)
            greeted.update(keys)
            return
        organiser = f"oid:{meeting.organiser_user_id.lower()}"
        latecomers = [key for key in new if key != organiser and key not in greeted]
        if not latecomers:
            return
        greeted.update(latecomers)
        self._waiting.setdefault(meeting_id, set()).update(latecomers)
        if meeting_id not in self._telling:
            task = asyncio.create_task(self._tell_latecomers(meeting_id, thread_id))
            task.add_done_callback(partial(_told_latecomers, meeting_id))
            self._telling[meeting_id] = task

    async def _tell_latecomers(self, meeting_id: str, thread_id: str) -> None:
        try:
            await asyncio.sleep(self._latecomer_pause)
        finally:
            del self._telling[meeting_id]
        told = len(self._waiting.pop(meeting_id, set()))
        async with self._store.reading() as uow:
            meeting = await uow.meetings.get(meeting_id)
            facts = await uow.meetings.facts(meeting_id)
            staff_name = uow.decrypt(meeting.staff_name_enc, "meetings", "staff_name", meeting_id)
        if not staff_name or told == 0:
            return
        context = {
            "recording_permitted": evaluate_recording(facts).permitted,
            "contributes": decide_role(facts).effective is DeclaredRole.SUPPORT_AND_CONTRIBUTE,
        }
        spoken = spoken_text(
            "latecomer",
            {
                "staff_name": speakable_name(staff_name),
                "service_name": speakable(self._service.name),
                **context,
            },
        )
        written = chat_text(
            "latecomer_statement",
            {"staff_name": " ".join(staff_name.split()), "service": self._service, **context},
        )
        undelivered: list[str] = []
        await self._voice.say(meeting_id, spoken)
        try:
            await self._chat.post(thread_id, written)
        except CHAT_FAILURES as failure:
            undelivered.append(type(failure).__name__)
        async with self._store.unit_of_work() as uow:
            await uow.audit(
                AuditEvent(
                    "meeting.latecomers_told",
                    meeting_id=meeting_id,
                    detail={"people": told, "chat_errors": undelivered},
                )
            )
            await uow.commit()

    async def settled(self) -> None:
        """Wait until the latecomers waiting to be told have been told."""
        while self._telling:
            await asyncio.gather(*self._telling.values(), return_exceptions=True)


def _told_latecomers(meeting_id: str, task: asyncio.Task[None]) -> None:
    """Log (by type only) a short statement that could not be given: the store failed."""
    if not task.cancelled() and (error := task.exception()) is not None:
        log.error("telling latecomers of meeting %s failed: %s", meeting_id, type(error).__name__)


async def _audit_skipped(uow: UnitOfWork, meeting_id: str, reason: str) -> None:
    await uow.audit(
        AuditEvent("meeting.join_skipped", meeting_id=meeting_id, detail={"reason": reason})
    )
