"""Handling comms notifications after `/api/calls` has answered 202.

Notices are handled in arrival order per call (one call's never overtake each other; different
calls go side by side). A call-state or prompt notification is handled once across instances:
its dedupe key is noted in the same transaction that applies it, so a duplicate changes
nothing. A call's state only moves forward, and the move to "established" is reported once to
the `CallLifecycle` (opening the meeting). A call id the bot has not recorded yet (Graph can
notify before the join request returns) is matched by the meeting chat the state names.

Rosters are full snapshots without sequence numbers, and the same roster legitimately recurs
(someone joins, then leaves), so they are not deduplicated by content in the store: a roster
equal to the last one `CallEvents` handled for the call is dropped, and any other goes to it.
A roster whose handling failed is not remembered, so the same roster arriving again is handled.

A notice whose handling fails is logged by the error's type and the call's id only (error
messages can carry bound parameters or names), and the call's next notice is handled.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Sequence
from typing import Protocol

from bot.calling.notifications import (
    CallStateNotice,
    PromptNotice,
    ReceivedNotice,
    RosterNotice,
)
from bot.services.live_meeting import CallEvents, RosterEntry
from consent_store.audit import AuditEvent
from consent_store.calls import ESTABLISHED, TERMINATED, MeetingCallRecords
from consent_store.unit_of_work import Store

log = logging.getLogger(__name__)


class CallLifecycle(Protocol):
    """What the meeting's use cases hear about the bot's own call."""

    async def call_established(self, meeting_id: str, call_id: str) -> None:
        """The bot's call into the meeting is established (reported once per call)."""


class CallNotificationInbox:
    def __init__(self, store: Store, lifecycle: CallLifecycle, events: CallEvents) -> None:
        self._store = store
        self._lifecycle = lifecycle
        self._events = events
        self._waiting: dict[str, deque[ReceivedNotice]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._last_roster: dict[str, tuple[RosterEntry, ...]] = {}

    def accept(self, notices: Sequence[ReceivedNotice]) -> None:
        """Queue notices for handling; returns at once."""
        for received in notices:
            call_id = received.notice.call_id
            self._waiting.setdefault(call_id, deque()).append(received)
            if call_id not in self._workers:
                self._workers[call_id] = asyncio.create_task(self._drain(call_id))

    async def idle(self) -> None:
        """Wait until every accepted notice has been handled."""
        while self._workers:
            await asyncio.gather(*self._workers.values(), return_exceptions=True)

    async def close(self) -> None:
        """Stop handling; notices not yet handled are dropped."""
        workers = list(self._workers.values())
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        self._workers.clear()
        self._waiting.clear()

    async def _drain(self, call_id: str) -> None:
        waiting = self._waiting[call_id]
        try:
            while waiting:
                received = waiting.popleft()
                try:
                    await self._handle(received)
                except Exception as error:  # noqa: BLE001 (a background task's boundary)
                    # Log the failure by its type only (no message, no traceback) and go on
                    # with the call's next notice rather than stall the call.
                    log.error(  # noqa: TRY400 (a traceback would show the message)
                        "handling a %s notice of call %s failed: %s",
                        type(received.notice).__name__,
                        call_id,
                        type(error).__name__,
                    )
        finally:
            del self._workers[call_id]
            if not waiting:
                del self._waiting[call_id]

    async def _handle(self, received: ReceivedNotice) -> None:
        notice = received.notice
        if isinstance(notice, CallStateNotice):
            await self._state_changed(received.dedupe_key, notice)
        elif isinstance(notice, RosterNotice):
            await self._roster_changed(notice)
        else:
            await self._prompt_finished(received.dedupe_key, notice)

    async def _state_changed(self, dedupe_key: str, notice: CallStateNotice) -> None:
        call_id = notice.call_id
        async with self._store.unit_of_work() as uow:
            records = MeetingCallRecords(uow.session)
            now = uow.now()
            if not await records.note_notification(dedupe_key, call_id, now):
                return
            meeting_id = await records.meeting_of(call_id)
            if meeting_id is None and notice.thread_id is not None:
                meeting = await uow.meetings.by_chat_thread(notice.thread_id)
                if meeting is not None:
                    meeting_id = meeting.id
                    await records.record(call_id, meeting_id, now)
            if meeting_id is None:
                await uow.audit(
                    AuditEvent(
                        "call.notification_unmatched", detail={"call": call_id, "kind": "state"}
                    )
                )
                await uow.commit()
                return
            moved = await records.advance(call_id, notice.state, now)
            if moved:
                await uow.audit(
                    AuditEvent(
                        "call.state_changed",
                        meeting_id=meeting_id,
                        detail={"call": call_id, "state": notice.state},
                    )
                )
            await uow.commit()
        if notice.state == TERMINATED:
            self._last_roster.pop(call_id, None)
        if moved and notice.state == ESTABLISHED:
            await self._lifecycle.call_established(meeting_id, call_id)

    async def _roster_changed(self, notice: RosterNotice) -> None:
        call_id = notice.call_id
        if self._last_roster.get(call_id) == notice.roster:
            return
        async with self._store.reading() as uow:
            meeting_id = await MeetingCallRecords(uow.session).meeting_of(call_id)
        if meeting_id is None:
            log.warning("a roster for a call the bot has not recorded was dropped")
            return
        await self._events.roster_changed(meeting_id, notice.roster)
        self._last_roster[call_id] = notice.roster

    async def _prompt_finished(self, dedupe_key: str, notice: PromptNotice) -> None:
        async with self._store.unit_of_work() as uow:
            records = MeetingCallRecords(uow.session)
            if not await records.note_notification(dedupe_key, notice.call_id, uow.now()):
                return
            await uow.audit(
                AuditEvent(
                    "call.prompt_finished",
                    meeting_id=await records.meeting_of(notice.call_id),
                    detail={
                        "call": notice.call_id,
                        "operation": notice.operation_id,
                        "status": notice.status,
                        "prompt": notice.client_context or "",
                    },
                )
            )
            await uow.commit()
