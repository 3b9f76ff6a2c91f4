"""Opening a meeting: the bot joins its call, and says who the staff member is there for.

The bot joins at the start time (the `meeting_join` job) or when Teams says the meeting
started, whichever comes first, once: the Teams event makes the same job due at once and runs
it, and the job runner's claim lets one run, on one instance, at a time; a job that joined is
done and never runs again, and a run finding the bot already in the call does nothing. A
cancelled meeting is never joined. If Graph fails, the meeting is marked as needing attention,
the failure audited, and the runner retries the job later. When the meeting ends the bot hangs
up and the call is marked ended.

When the call is established the opening statement is made (`opening_statement`), once per
call, and not in a second live call into the same meeting: an instance that stops after Graph
placed the call and before the store recorded it leaves the job to be retried once its claim
runs out, and Graph's notifications for the call record it from its meeting chat, so the
retry finds the bot in the call; if they come after the retry placed another call, that call
says nothing. Someone joining after the statement hears a short version of it
(`latecomer_statement`).

The bot waits in the lobby like anyone else: the meeting lets only its organiser in directly
(`lobbyBypassSettings.scope` "organizer"), so Teams may keep the bot's call establishing
until someone admits it. The statement is made when Graph reports the call established, so
after admission. Joining queues a durable `LOBBY_CHECK` job a minute after the start (or
after the join, when later): if the bot's call is still not established then, the organiser
gets a private message that the bot is in the lobby (retried by the job runner until it is
delivered); audited either way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Final

from bot.announcement.wording import chat_text
from bot.config import ServiceProfile
from bot.ports.call_ids import normalise_call_id
from bot.ports.calls import CallNotPlaced, Calls
from bot.ports.failures import CHAT_FAILURES, GRAPH_FAILURES
from bot.scheduler.failures import JobFailed
from bot.scheduler.runner import Handler, JobRunner
from bot.services.latecomer_statement import LATECOMER_PAUSE, LatecomerStatement
from bot.services.live_meeting import (
    CallVoice,
    MeetingChat,
    RosterEntry,
    TeamsPerson,
)
from bot.services.opening_statement import OpeningStatement
from bot.services.timed_work import JOIN, join_job_key
from consent_store.audit import AuditEvent
from consent_store.calls import TERMINATED
from consent_store.jobs import ClaimedJob
from consent_store.unit_of_work import Store, UnitOfWork

JOIN_FAILED: Final = "call_not_joined"
JOIN_LEASE: Final = timedelta(minutes=2)
LOBBY_CHECK: Final = "meeting_lobby_check"
LOBBY_GRACE: Final = timedelta(minutes=1)
"""How long after the start (or the join, when later) the bot may wait in the lobby before
the organiser is told."""


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
        self._calls = calls
        self._chat = chat
        self._statement = OpeningStatement(store, chat, voice, service)
        self._latecomers = LatecomerStatement(
            store, chat, voice, service, bot_app_id=bot_app_id, latecomer_pause=latecomer_pause
        )
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
        await self._statement.make(meeting_id, call_id)

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

    async def participant_joined(self, thread_id: str, person: TeamsPerson) -> None:
        """Someone joined (Teams' join event): if the opening statement was already made and
        they have not heard the short version yet, tell them (with others joining meanwhile)."""
        await self._latecomers.participant_joined(thread_id, person)

    async def roster_changed(self, meeting_id: str, roster: Sequence[RosterEntry]) -> None:
        """The call's roster: people who joined without a join event (by phone, say) are
        latecomers too."""
        await self._latecomers.roster_changed(meeting_id, roster)

    async def settled(self) -> None:
        """As the bot stops: tell the latecomers waiting to be told at once, and wait until
        they have been told."""
        await self._latecomers.settled()


async def _audit_skipped(uow: UnitOfWork, meeting_id: str, reason: str) -> None:
    await uow.audit(
        AuditEvent("meeting.join_skipped", meeting_id=meeting_id, detail={"reason": reason})
    )
