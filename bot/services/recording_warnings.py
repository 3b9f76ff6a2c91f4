"""Recording seen without consent, or someone uninvited joining: audited, and the meeting warned.

The recording guard switches the setting off first (if Teams still allows it); then, when the
call's roster shows someone recording while the gate does not permit it, the meeting is told:
a warning card in the chat, a short spoken notice in the call, and a private notice asking the
organising staff to stop the recording (`give`); the sighting is audited. An uninvited person
joining while recording was allowed gets the same notices. Each uninvited arrival is audited
with why they matched no one (`audit_uninvited`).

One event gives one warning, however many ways it is seen, and across instances: a warning is
claimed before it is given, by auditing it (`RECORDING_WARNED`) while holding the meeting's row,
so of two paths claiming at once one gives it. A recording is announced at its first sighting
(per meeting and set of people recording) unless the meeting was warned of an uninvited arrival
within `NOTICE_QUIET` (the recording the arrival made unlawful: `claim_recording`). An arrival
is announced unless the meeting was warned within `NOTICE_QUIET` at all (`claim_arrival`): a
stranger is seen both by Teams' join event and in the call's roster, often at once, and the
roster may show the running recording, now without consent, before either names them. A notice
that cannot be delivered never undoes or delays the switch, and is audited.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from bot.announcement.notices import recording_not_permitted_notice, recording_stop_request
from bot.policy.participant_match import PersonMatch
from bot.ports.failures import CHAT_FAILURES
from bot.services.live_meeting import CallVoice, MeetingChat
from consent_store.audit import AuditEvent
from consent_store.presence import (
    ARRIVAL_WARNING,
    RECORDING_REPORTED,
    RECORDING_WARNED,
    RECORDING_WARNING,
)
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


NOTICE_QUIET = timedelta(seconds=30)
"""After a warning, how long the same event seen another way is not announced again."""


class RecordingWarnings:
    """Warning the meeting that recording is not permitted, once per recording, for the
    recording guard."""

    def __init__(self, store: Store, chat: MeetingChat, voice: CallVoice) -> None:
        self._store = store
        self._chat = chat
        self._voice = voice

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

    async def claim_arrival(self, meeting_id: str, source: str) -> bool:
        """Whether to warn the meeting of an uninvited arrival seen at `source`: not if it was
        warned of anything within `NOTICE_QUIET`; the warning is audited as it is claimed."""
        async with self._store.unit_of_work() as uow:
            await uow.presence.hold_meeting(meeting_id)
            if await uow.presence.warnings_since(meeting_id, uow.now() - NOTICE_QUIET):
                return False
            await uow.audit(
                AuditEvent(
                    RECORDING_WARNED,
                    meeting_id=meeting_id,
                    detail={"notice": ARRIVAL_WARNING, "source": source},
                )
            )
            await uow.commit()
        return True

    async def claim_recording(self, meeting_id: str, recording_keys: Sequence[str]) -> bool:
        """Audit the recording seen without consent, unless it was already; whether to warn
        the meeting of it: at its first sighting, unless it was warned of an uninvited arrival
        within `NOTICE_QUIET` (the warning is audited as it is claimed)."""
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
            warned = await uow.presence.warnings_since(meeting_id, uow.now() - NOTICE_QUIET)
            warn = ARRIVAL_WARNING not in warned
            if warn:
                await uow.audit(
                    AuditEvent(
                        RECORDING_WARNED,
                        meeting_id=meeting_id,
                        detail={"notice": RECORDING_WARNING, "source": "call"},
                    )
                )
            await uow.commit()
        return warn

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
