"""Recording seen without consent, or someone uninvited joining: audited, and the meeting warned.

The recording guard switches the setting off first (if Teams still allows it); then, when the
call's roster shows someone recording while the gate does not permit it, the meeting is told:
a warning card in the chat, a short spoken notice in the call, and a private notice asking the
organising staff to stop the recording (`give`); the sighting is audited. The notices are given
once per recording (per meeting and set of people recording), across instances: the first to
audit the sighting gives them (`first_sighting`). An uninvited person joining while recording
was allowed gets the same notices; a recording the call's roster shows within `NOTICE_QUIET`
of those (the recording the arrival just made unlawful) is audited but not announced a second
time (`just_noticed`). Each uninvited arrival is audited with why they matched no one
(`audit_uninvited`). A notice that cannot be delivered never undoes or delays the switch, and
is audited.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass

from bot.announcement.notices import recording_not_permitted_notice, recording_stop_request
from bot.policy.participant_match import PersonMatch
from bot.ports.failures import CHAT_FAILURES
from bot.services.live_meeting import CallVoice, MeetingChat
from consent_store.audit import AuditEvent
from consent_store.presence import RECORDING_REPORTED
from consent_store.unit_of_work import Store


@dataclass(frozen=True, slots=True)
class Arrival:
    """What a change of presence found: the meeting's chat, its organiser, whether Teams
    allowed recording before the change, and who arrived uninvited."""

    meeting_id: str
    thread_id: str | None
    organiser_id: str
    teams_allowed_before: bool
    uninvited: tuple[PersonMatch, ...]

    @property
    def someone_uninvited(self) -> bool:
        return bool(self.uninvited)


NOTICE_QUIET = 30.0
"""Seconds after an uninvited arrival's notices in which a recording seen is not announced
again (it is the same recording, now without consent)."""


class RecordingWarnings:
    """Warning the meeting that recording is not permitted, once per recording, for the
    recording guard."""

    def __init__(self, store: Store, chat: MeetingChat, voice: CallVoice) -> None:
        self._store = store
        self._chat = chat
        self._voice = voice
        self._arrival_noticed: dict[str, float] = {}

    def arrival_noticed(self, meeting_id: str) -> None:
        """Note that this instance is telling the meeting of an uninvited arrival now."""
        self._arrival_noticed[meeting_id] = time.monotonic()

    def just_noticed(self, meeting_id: str) -> bool:
        """Whether this instance told the meeting of an uninvited arrival moments ago."""
        noticed = self._arrival_noticed.get(meeting_id)
        if noticed is not None and time.monotonic() - noticed < NOTICE_QUIET:
            return True
        self._arrival_noticed.pop(meeting_id, None)
        return False

    async def audit_uninvited(self, arrival: Arrival, source: str) -> None:
        """Audit each uninvited arrival (why they matched no one, and where they were seen);
        after the switch, so it never delays it."""
        if not arrival.uninvited:
            return
        async with self._store.unit_of_work() as uow:
            for match in arrival.uninvited:
                reason = match.reason.value if match.reason is not None else None
                await uow.audit(
                    AuditEvent(
                        "meeting.uninvited_participant",
                        meeting_id=arrival.meeting_id,
                        detail={"reason": reason, "source": source},
                    )
                )
            await uow.commit()

    async def first_sighting(self, meeting_id: str, recording_keys: Sequence[str]) -> bool:
        """Audit the recording seen without consent, unless it was already; whether this was
        the first sighting."""
        async with self._store.reading() as uow:
            recording = uow.presence.recording_key(recording_keys)
            if await uow.presence.recording_reported(meeting_id, recording):
                return False
        async with self._store.unit_of_work() as uow:
            await uow.presence.hold_meeting(meeting_id)
            if await uow.presence.recording_reported(meeting_id, recording):
                return False
            await uow.audit(
                AuditEvent(
                    RECORDING_REPORTED,
                    meeting_id=meeting_id,
                    detail={"recording_key": recording, "people_recording": len(recording_keys)},
                )
            )
            await uow.commit()
        return True

    async def give(self, arrival: Arrival) -> None:
        """The card, the spoken notice and the private staff notice, at once; each that
        fails is audited, and anything else still raises."""
        notice = recording_not_permitted_notice(someone_uninvited=arrival.someone_uninvited)
        attempts = {"voice": self._voice.say(arrival.meeting_id, notice.spoken)}
        if arrival.thread_id is not None:
            staff_text = recording_stop_request(someone_uninvited=arrival.someone_uninvited)
            attempts["card"] = self._chat.post(
                arrival.thread_id, notice.spoken, notice.card.content
            )
            attempts["staff"] = self._chat.notify_privately(
                arrival.thread_id, [arrival.organiser_id], staff_text
            )
        outcomes = await asyncio.gather(*attempts.values(), return_exceptions=True)
        failed = {
            name: outcome
            for name, outcome in zip(attempts, outcomes, strict=True)
            if isinstance(outcome, BaseException)
        }
        if failed:
            async with self._store.unit_of_work() as uow:
                await uow.audit(
                    AuditEvent(
                        "recording.notice_failed",
                        meeting_id=arrival.meeting_id,
                        detail={
                            "notices": sorted(failed),
                            "errors": sorted({type(e).__name__ for e in failed.values()}),
                        },
                    )
                )
                await uow.commit()
        for error in failed.values():
            if not isinstance(error, CHAT_FAILURES):
                raise error
