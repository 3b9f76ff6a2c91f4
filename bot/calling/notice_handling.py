"""How the calls inbox handles one stored notice: `bot.calling.inbox` stores the notices and
hands each to `CallNoticeHandler.handle` in order per call, which unseals it, applies it to the
store and tells the meeting's use cases (`CallLifecycle`, `CallEvents`) or the call's prompts.

Guarantees:
- A call-state or prompt notice is handled once across instances: its dedupe key is noted in
  the same transaction that applies it, so a duplicate changes nothing.
- A call's state only moves forward, and the move to "established" is reported once to the
  `CallLifecycle` (opening the meeting). The notice is kept, as `report_established`, until
  the report has been made, so a report that fails is made again. A call id the bot has not
  recorded yet (Graph can notify before the join request returns) is matched by the meeting
  chat the state names.
- Rosters are full snapshots without sequence numbers, and the same roster legitimately
  recurs (someone joins, then leaves), so they are not deduplicated by content: a roster
  equal to the last one handled for the call (its digest is kept on the call's row in the
  transaction that forgets it) is passed over, and any other goes to `CallEvents`. A roster
  whose handling failed is not "the last one handled": it is tried again, and an equal
  roster behind it is not skipped.
"""

from __future__ import annotations

import logging
from typing import Final, Protocol

from bot.calling.notifications import CallStateNotice, PromptNotice, RosterNotice
from bot.calling.prompt_turns import PromptTurns
from bot.calling.stored_notices import CALL_STATE, decoded, roster_digest
from bot.services.live_meeting import CallEvents
from consent_store.audit import AuditEvent
from consent_store.call_notices import PAYLOAD_COLUMN, WaitingNotice
from consent_store.calls import ESTABLISHED
from consent_store.unit_of_work import Store

log = logging.getLogger(__name__)

REPORT_ESTABLISHED: Final = "report_established"
"""The kind of a call-state notice whose change is applied and whose report is still due."""


class CallLifecycle(Protocol):
    """What the meeting's use cases hear about the bot's own call."""

    async def call_established(self, meeting_id: str, call_id: str) -> None:
        """The bot's call into the meeting is established (reported once per call)."""


class CallNoticeHandler:
    """The use cases `CallNotificationInbox.start` was given, and how a notice reaches them:
    `handle` applies one stored notice. `meeting_of_call` is the inbox's own map of the calls
    this instance has matched to meetings, filled in here as notices name them."""

    def __init__(
        self,
        store: Store,
        lifecycle: CallLifecycle,
        events: CallEvents,
        prompt_turns: PromptTurns,
        meeting_of_call: dict[str, str],
    ) -> None:
        self._store = store
        self.lifecycle = lifecycle
        self.events = events
        self._prompt_turns = prompt_turns
        self._meeting_of_call = meeting_of_call

    async def handle(self, item: WaitingNotice, last_roster: str | None) -> str | None:
        """Handle one notice; returns the digest of the roster now last handled."""
        payload = self._store.unseal(item.payload_enc, *PAYLOAD_COLUMN, item.id)
        kind = CALL_STATE if item.kind == REPORT_ESTABLISHED else item.kind
        received = decoded(kind, payload)
        notice = received.notice
        if isinstance(notice, CallStateNotice):
            if item.kind == REPORT_ESTABLISHED:
                await self._report_established(notice.call_id)
            else:
                await self._state_changed(item.id, received.dedupe_key, notice)
        elif isinstance(notice, RosterNotice):
            return await self._roster_changed(notice, last_roster)
        else:
            await self._prompt_finished(received.dedupe_key, notice)
        return last_roster

    async def _state_changed(
        self, notice_id: str, dedupe_key: str, notice: CallStateNotice
    ) -> None:
        call_id = notice.call_id
        async with self._store.unit_of_work() as uow:
            records = uow.calls
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
            report = moved and notice.state == ESTABLISHED
            if report:
                await uow.call_notices.change_kind(notice_id, REPORT_ESTABLISHED)
            await uow.commit()
        self._meeting_of_call[call_id] = meeting_id
        if report:
            await self.lifecycle.call_established(meeting_id, call_id)

    async def _report_established(self, call_id: str) -> None:
        async with self._store.reading() as uow:
            meeting_id = await uow.calls.meeting_of(call_id)
        if meeting_id is not None:
            await self.lifecycle.call_established(meeting_id, call_id)

    async def _roster_changed(self, notice: RosterNotice, last_roster: str | None) -> str | None:
        call_id = notice.call_id
        digest = roster_digest(notice.roster)
        if digest == last_roster:
            return last_roster
        async with self._store.reading() as uow:
            meeting_id = await uow.calls.meeting_of(call_id)
        if meeting_id is None:
            log.warning("a roster for a call the bot has not recorded was dropped")
            async with self._store.unit_of_work() as uow:
                await uow.audit(
                    AuditEvent(
                        "call.notification_unmatched", detail={"call": call_id, "kind": "roster"}
                    )
                )
                await uow.commit()
            return last_roster
        self._meeting_of_call[call_id] = meeting_id
        await self.events.roster_changed(meeting_id, notice.roster)
        return digest

    async def _prompt_finished(self, dedupe_key: str, notice: PromptNotice) -> None:
        self._prompt_turns.finished(notice.operation_id)
        async with self._store.unit_of_work() as uow:
            records = uow.calls
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
