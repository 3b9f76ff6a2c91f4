"""The short statement for latecomers: who joins after the opening statement hears it too.

Someone joining after the statement was made (the organiser and the bot aside) hears a short
version of it, spoken in the call (people who join by phone cannot see the chat) and posted
in the chat. The first call roster after the statement says who heard it; anyone new after
that, in a join event or a roster (people joining by phone may have no join event), is a
latecomer. People joining within `latecomer_pause` of each other are told together, once,
and each person once per meeting (kept in memory: after a restart the next roster is taken as
who heard it). An instance that stops tells the latecomers it holds at once: no one else will
join them here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from functools import partial
from typing import Final

from bot.announcement.spoken_forms import speakable, speakable_name
from bot.announcement.wording import chat_text, spoken_text
from bot.config import ServiceProfile
from bot.policy.participant_match import BOT_ID_PREFIX
from bot.policy.recording_gate import evaluate_recording
from bot.policy.role_statement import decide_role
from bot.ports.failures import CHAT_FAILURES
from bot.services.live_meeting import CallVoice, MeetingChat, RosterEntry, TeamsPerson
from consent_store.audit import AuditEvent
from consent_store.unit_of_work import Store
from domain.terms import DeclaredRole

log = logging.getLogger(__name__)

LATECOMER_PAUSE: Final = 3.0
"""Seconds to wait after someone joins late for others joining with them, so that several
people joining at once hear the short statement once."""


class LatecomerStatement:
    """Telling latecomers the short statement, for `MeetingOpening`."""

    def __init__(
        self,
        store: Store,
        chat: MeetingChat,
        voice: CallVoice,
        service: ServiceProfile,
        *,
        bot_app_id: str,
        latecomer_pause: float,
    ) -> None:
        self._store = store
        self._bot_app_id = bot_app_id.lower()
        self._latecomer_pause = latecomer_pause
        self._greeted: dict[str, set[str]] = {}
        self._baseline: set[str] = set()
        self._waiting: dict[str, set[str]] = {}
        self._telling: dict[str, asyncio.Task[None]] = {}
        self._stopping = asyncio.Event()
        self._chat = chat
        self._voice = voice
        self._service = service

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
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self._latecomer_pause)
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
        """As the bot stops: tell the latecomers waiting to be told without the rest of the
        pause (no activity handled here will join them now), and wait until they have been
        told."""
        self._stopping.set()
        while self._telling:
            await asyncio.gather(*self._telling.values(), return_exceptions=True)


def _told_latecomers(meeting_id: str, task: asyncio.Task[None]) -> None:
    """Log (by type only) a short statement that could not be given: the store failed."""
    if not task.cancelled() and (error := task.exception()) is not None:
        log.error("telling latecomers of meeting %s failed: %s", meeting_id, type(error).__name__)
