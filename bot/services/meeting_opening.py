"""Opening a meeting: the bot joins its call and states the staff member's role.

The bot joins at the start time (the `meeting_join` job) or when Teams says the meeting
started, whichever comes first, once: the Teams event makes the same job due at once and runs
it, and the job runner's claim lets one run, on one instance, at a time; a job that joined is
done and never runs again, and a run finding the bot already in the call does nothing. A
cancelled meeting is never joined. If Graph fails, the meeting is marked as needing attention,
the failure audited, and the runner retries the job later.

When the call is established the opening statement is made once per call (claimed in the
store): spoken in the call, and as a card in the meeting chat. If staff declared "support and
contribute" but not every service user agreed beforehand, the organiser alone gets a private
notice saying so. A card or notice that cannot be delivered is not tried again: the meeting is
marked as needing attention and the failure audited. When the meeting ends the bot hangs up
and the call is marked ended.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Final

from bot.announcement.opening import compose_announcement
from bot.announcement.wording import chat_text
from bot.calling.call_ids import normalise_call_id
from bot.config import ServiceProfile
from bot.graph.calls import CallNotPlaced, MeetingCalls
from bot.graph.failures import GRAPH_FAILURES
from bot.policy.recording_gate import evaluate_recording
from bot.policy.role_statement import decide_role
from bot.scheduler.failures import JobFailed
from bot.scheduler.runner import Handler, JobRunner
from bot.services.live_meeting import CHAT_FAILURES, CallVoice, MeetingChat
from bot.services.timed_work import JOIN, join_job_key
from consent_store.audit import AuditEvent
from consent_store.calls import TERMINATED, MeetingCallRecords
from consent_store.jobs import ClaimedJob, Jobs
from consent_store.unit_of_work import Store, UnitOfWork

JOIN_FAILED: Final = "call_not_joined"
ANNOUNCEMENT_FAILED: Final = "announcement_not_made"
JOIN_LEASE: Final = timedelta(minutes=2)


class MeetingOpening:
    """Joining the meeting's call at its start, and the opening statement once it is
    established. `worker_id` names this instance in job claims (unique per instance)."""

    def __init__(
        self,
        store: Store,
        calls: MeetingCalls,
        chat: MeetingChat,
        voice: CallVoice,
        service: ServiceProfile,
        *,
        worker_id: str,
    ) -> None:
        self._store = store
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
        """The handler for the `meeting_join` job kind, for the bot's job runner."""
        return {JOIN: self._join_job}

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
            jobs, key, now = Jobs(uow.session), join_job_key(meeting.id), uow.now()
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
            await Jobs(uow.session).cancel_for_meeting(meeting_id, uow.now(), kinds=(JOIN,))
            live = await MeetingCallRecords(uow.session).live_calls(meeting_id)
            await uow.commit()
        failures = []
        for call_id in live:
            try:
                await self._calls.hang_up(call_id)
            except GRAPH_FAILURES as failure:
                failures.append(type(failure).__name__)
        async with self._store.unit_of_work() as uow:
            records = MeetingCallRecords(uow.session)
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
            if not await MeetingCallRecords(uow.session).claim_announcement(call_id, uow.now()):
                return
            meeting = await uow.meetings.get(meeting_id)
            facts = await uow.meetings.facts(meeting_id)
            staff_name = uow.decrypt(meeting.staff_name_enc, "meetings", "staff_name", meeting_id)
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
            live = await MeetingCallRecords(uow.session).live_calls(meeting_id)
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
            await MeetingCallRecords(uow.session).record(call_id, meeting_id, uow.now())
            row = await uow.meetings.get(meeting_id)
            if row.needs_attention == JOIN_FAILED:
                row.needs_attention = None
            await uow.audit(
                AuditEvent("meeting.joined", meeting_id=meeting_id, detail={"call": call_id})
            )
            await uow.commit()


async def _audit_skipped(uow: UnitOfWork, meeting_id: str, reason: str) -> None:
    await uow.audit(
        AuditEvent("meeting.join_skipped", meeting_id=meeting_id, detail={"reason": reason})
    )
