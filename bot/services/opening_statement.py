"""The opening statement: the staff member's role, said once the bot is in the meeting's call.

When the call is established the statement is made once per call (claimed in the store), and
not in a second live call into the same meeting (`MeetingOpening` keeps to one): spoken in the
call, and as a card in the meeting chat. If staff declared "support and contribute" but not
every service user agreed beforehand, the organiser alone gets a private notice saying so. A
card or notice that cannot be delivered is not tried again: the meeting is marked as needing
attention (`ANNOUNCEMENT_FAILED`) and the failure audited.
"""

from __future__ import annotations

from typing import Final

from bot.announcement.opening import compose_announcement
from bot.announcement.wording import chat_text
from bot.config import ServiceProfile
from bot.policy.recording_gate import evaluate_recording
from bot.policy.role_statement import decide_role
from bot.ports.failures import CHAT_FAILURES
from bot.services.live_meeting import CallVoice, MeetingChat
from consent_store.audit import AuditEvent
from consent_store.needs import needs_of, supporter_attending
from consent_store.unit_of_work import Store

ANNOUNCEMENT_FAILED: Final = "announcement_not_made"


class OpeningStatement:
    """Making the opening statement in an established call."""

    def __init__(
        self, store: Store, chat: MeetingChat, voice: CallVoice, service: ServiceProfile
    ) -> None:
        self._store = store
        self._chat = chat
        self._voice = voice
        self._service = service

    async def make(self, meeting_id: str, call_id: str) -> None:
        """Make the opening statement in the meeting's call, once per call."""
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
