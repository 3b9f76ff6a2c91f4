"""The calls inbox on both engines: a notice is answered only once it is stored, sealed, and
handled after that in order per call; a call the bot has not recorded yet is matched by its
meeting chat, its state only moves forward (a late "established" does not revive an ended
call), duplicates change nothing, and the establishment is reported once (again only if the
report failed); rosters reach `CallEvents` unless they repeat the last one handled. A notice
whose handling failed, or that met the store down, is handled at a later sweep, and a roster
equal to one whose handling failed is not skipped; what keeps failing is dropped, audited."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from bot.calling.inbox import MAX_ATTEMPTS, CallNotificationInbox
from bot.calling.notifications import read_comms_notifications
from bot.services.live_meeting import RosterEntry
from consent_store.readiness import STORE_FAILURES
from consent_store.tables import AuditEntryRow, CallNoticeRow, CallRow
from consent_store.unit_of_work import Store
from tests.builders import schedule
from tests.outage import Outage

CALL = "2f1a0b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b"
THREAD = "19:meeting_inbox@thread.v2"


class Lifecycle:
    """Notes each establishment reported; the first `failing` reports fail."""

    def __init__(self, failing: int = 0) -> None:
        self.established: list[tuple[str, str]] = []
        self.failing = failing

    async def call_established(self, meeting_id: str, call_id: str) -> None:
        if self.failing:
            self.failing -= 1
            raise OperationalError("UPDATE meeting_calls", {}, ConnectionError())
        self.established.append((meeting_id, call_id))


class Events:
    """Notes each roster handed on; the first `failing` fail as an unreachable store would."""

    def __init__(self, failing: int = 0) -> None:
        self.rosters: list[tuple[str, tuple[RosterEntry, ...]]] = []
        self.unchecked: list[str] = []
        self.failing = failing

    async def roster_changed(self, meeting_id: str, roster: Sequence[RosterEntry]) -> None:
        if self.failing:
            self.failing -= 1
            raise OperationalError("UPDATE meeting_presence", {}, ConnectionError())
        self.rosters.append((meeting_id, tuple(roster)))

    async def roster_unchecked(self, meeting_id: str) -> None:
        self.unchecked.append(meeting_id)

    def people(self) -> list[list[str]]:
        return [[entry.participant_id for entry in roster] for _, roster in self.rosters]


class StoreGoesDown(Events):
    """Call events that use the store, which goes down as the first roster is being handled."""

    def __init__(self, store: Store, outage: Outage) -> None:
        super().__init__()
        self.store = store
        self.outage = outage
        self.down = False

    async def roster_changed(self, meeting_id: str, roster: Sequence[RosterEntry]) -> None:
        if not self.down:
            self.down = True
            await self.outage.begin()
        async with self.store.reading() as uow:
            await uow.meetings.get(meeting_id)
        await super().roster_changed(meeting_id, roster)


def state(value: str, written: str = CALL) -> dict[str, Any]:
    return {
        "value": [
            {
                "changeType": "deleted" if value == "terminated" else "updated",
                "resourceUrl": f"/communications/calls/{written}",
                "resourceData": {"state": value, "chatInfo": {"threadId": THREAD}},
            }
        ]
    }


def roster(*people: str) -> dict[str, Any]:
    return {
        "value": [
            {
                "changeType": "updated",
                "resourceUrl": f"/communications/calls/{CALL}/participants",
                "resourceData": [
                    {"id": p, "info": {"identity": {"user": {"id": p, "displayName": p}}}}
                    for p in people
                ],
            }
        ]
    }


async def meeting_in_chat(store: Store) -> str:
    meeting_id, _ = await schedule(store)
    async with store.unit_of_work() as uow:
        (await uow.meetings.get(meeting_id)).teams_chat_thread_id = THREAD
        await uow.commit()
    return meeting_id


def started(
    store: Store, lifecycle: Lifecycle | None = None, events: Events | None = None
) -> tuple[CallNotificationInbox, Lifecycle, Events]:
    """An inbox handling with these doubles; it sweeps only when a test says."""
    lifecycle, events = lifecycle or Lifecycle(), events or Events()
    inbox = CallNotificationInbox(store, "instance-a", sweep_seconds=3600)
    inbox.start(lifecycle, events)
    return inbox, lifecycle, events


async def deliver(inbox: CallNotificationInbox, *bodies: dict[str, Any]) -> None:
    for body in bodies:
        await inbox.accept(read_comms_notifications(body))
    await inbox.idle()


async def sweep(inbox: CallNotificationInbox) -> None:
    await inbox.sweep()
    await inbox.idle()


async def waiting(store: Store) -> int:
    async with store.reading() as uow:
        count = await uow.session.scalar(select(func.count()).select_from(CallNoticeRow))
    return int(count or 0)


async def audited(store: Store, action: str) -> list[str]:
    async with store.reading() as uow:
        details = await uow.session.scalars(
            select(AuditEntryRow.detail).where(AuditEntryRow.action == action)
        )
        return list(details)


async def call_state(store: Store) -> str:
    async with store.reading() as uow:
        row = await uow.session.get(CallRow, CALL)
    assert row is not None
    return row.state


async def test_state_moves_forward_only_and_is_reported_once(store: Store) -> None:
    meeting_id = await meeting_in_chat(store)
    inbox, lifecycle, _ = started(store)

    await deliver(
        inbox,
        state("established", CALL.upper().replace("-", "")),
        state("established"),
        state("establishing"),
    )
    assert await call_state(store) == "established"
    assert lifecycle.established == [(meeting_id, CALL)]

    await deliver(inbox, state("terminated"), state("established", CALL.upper()))
    assert await call_state(store) == "terminated"
    assert lifecycle.established == [(meeting_id, CALL)]
    changes = await audited(store, "call.state_changed")
    assert [('"established"' in d, '"terminated"' in d) for d in changes] == [
        (True, False),
        (False, True),
    ]
    assert await waiting(store) == 0
    await inbox.close()


async def test_a_failed_establishment_report_is_made_again_and_only_the_report(
    store: Store,
) -> None:
    meeting_id = await meeting_in_chat(store)
    inbox, lifecycle, _ = started(store, Lifecycle(failing=1))

    await deliver(inbox, state("established"))
    assert lifecycle.established == []
    assert await waiting(store) == 1

    await sweep(inbox)
    assert lifecycle.established == [(meeting_id, CALL)]
    assert len(await audited(store, "call.state_changed")) == 1
    assert await waiting(store) == 0
    await inbox.close()


async def test_rosters_reach_call_events_unless_they_repeat_the_last(store: Store) -> None:
    meeting_id = await meeting_in_chat(store)
    inbox, _, events = started(store)
    await deliver(inbox, state("established"))

    await deliver(inbox, roster("a"), roster("a"), roster("a", "b"), roster("a"))

    assert [m for m, _ in events.rosters] == [meeting_id] * 3
    assert events.people() == [["a"], ["a", "b"], ["a"]]
    await inbox.close()

    another = CallNotificationInbox(store, "instance-b", sweep_seconds=3600)
    another.start(Lifecycle(), events)
    await deliver(another, roster("a"), roster("a", "b"))
    assert events.people() == [["a"], ["a", "b"], ["a"], ["a", "b"]]
    await another.close()


async def test_a_roster_whose_handling_failed_is_handled_at_the_next_sweep(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    meeting_id = await meeting_in_chat(store)
    inbox, _, events = started(store, events=Events(failing=1))
    await deliver(inbox, state("established"))

    await deliver(inbox, roster("a", "stranger"))
    assert events.rosters == []
    (failure,) = [r for r in caplog.records if r.name == "bot.calling.inbox"]
    assert failure.getMessage() == (
        f"handling a roster notice of call {CALL} failed (attempt 1): OperationalError"
    )
    assert failure.exc_info is None

    await deliver(inbox, roster("a", "stranger"))
    await sweep(inbox)
    assert events.rosters == [(meeting_id, events.rosters[0][1])]
    assert events.people() == [["a", "stranger"]]
    assert await waiting(store) == 0
    await inbox.close()


async def test_a_roster_that_met_the_store_down_is_handled_when_it_is_back(
    store: Store, database_url: str
) -> None:
    meeting_id = await meeting_in_chat(store)
    outage = Outage(store, database_url)
    events = StoreGoesDown(store, outage)
    inbox, _, _ = started(store, events=events)
    await deliver(inbox, state("established"))

    try:
        await deliver(inbox, roster("a", "stranger"))
        assert events.rosters == []
        with pytest.raises(STORE_FAILURES):
            await inbox.sweep()
    finally:
        await outage.end()

    await sweep(inbox)
    assert events.rosters == [(meeting_id, events.rosters[0][1])]
    assert events.people() == [["a", "stranger"]]
    assert await waiting(store) == 0
    await inbox.close()


async def test_notices_are_not_acknowledged_when_they_cannot_be_stored(
    store: Store, database_url: str
) -> None:
    await meeting_in_chat(store)
    inbox, _, events = started(store)
    outage = Outage(store, database_url)
    await outage.begin()
    try:
        with pytest.raises(STORE_FAILURES):
            await inbox.accept(read_comms_notifications(roster("a", "stranger")))
    finally:
        await outage.end()
    assert await waiting(store) == 0
    assert events.rosters == []
    await inbox.close()


async def test_a_roster_the_store_cannot_take_is_reported_unchecked_for_its_meeting(
    store: Store, database_url: str
) -> None:
    meeting_id = await meeting_in_chat(store)
    inbox, _, events = started(store)
    await deliver(inbox, state("established"), roster("a"))
    outage = Outage(store, database_url)
    await outage.begin()
    try:
        with pytest.raises(STORE_FAILURES):
            await inbox.accept(read_comms_notifications(roster("a", "stranger")))
        with pytest.raises(STORE_FAILURES):
            await inbox.accept(read_comms_notifications(state("established")))
    finally:
        await outage.end()
    assert events.unchecked == [meeting_id]
    assert events.people() == [["a"]]
    await inbox.close()


async def test_requests_arriving_together_are_stored_together_and_handled_in_order(
    store: Store,
) -> None:
    """Notifications arriving while a write is under way are stored in the next one together
    (a group commit); each is answered once stored, and the call's rosters are handled in the
    order they arrived."""
    await meeting_in_chat(store)
    inbox, _, events = started(store)
    await deliver(inbox, state("established"))
    commits = 0

    def committed(_connection: object) -> None:
        nonlocal commits
        commits += 1

    bodies = [roster("a"), roster("a", "b"), roster("a", "b", "c"), roster("a")]
    event.listen(store.engine.sync_engine, "commit", committed)
    try:
        await asyncio.gather(*(inbox.accept(read_comms_notifications(b)) for b in bodies))
    finally:
        event.remove(store.engine.sync_engine, "commit", committed)
    assert commits == 1
    await inbox.idle()
    assert events.people() == [["a"], ["a", "b"], ["a", "b", "c"], ["a"]]
    await inbox.close()


async def test_requests_together_that_the_store_cannot_take_each_report_their_rosters(
    store: Store, database_url: str
) -> None:
    meeting_id = await meeting_in_chat(store)
    inbox, _, events = started(store)
    await deliver(inbox, state("established"), roster("a"))
    outage = Outage(store, database_url)
    await outage.begin()
    try:
        results = await asyncio.gather(
            inbox.accept(read_comms_notifications(roster("a", "stranger"))),
            inbox.accept(read_comms_notifications(roster("a", "other"))),
            return_exceptions=True,
        )
    finally:
        await outage.end()
    assert all(isinstance(result, STORE_FAILURES) for result in results)
    assert events.unchecked == [meeting_id, meeting_id]
    assert await waiting(store) == 0
    await inbox.close()


async def test_what_was_stored_before_the_start_is_handled_at_the_start(store: Store) -> None:
    meeting_id = await meeting_in_chat(store)
    inbox = CallNotificationInbox(store, "instance-a", sweep_seconds=3600)
    await inbox.accept(read_comms_notifications(state("established")))
    await inbox.accept(read_comms_notifications(roster("a", "stranger")))
    async with store.reading() as uow:
        sealed = b"".join(await uow.session.scalars(select(CallNoticeRow.payload_enc)))
    assert b"stranger" not in sealed

    lifecycle, events = Lifecycle(), Events()
    inbox.start(lifecycle, events)
    await inbox.idle()
    assert lifecycle.established == [(meeting_id, CALL)]
    assert events.people() == [["a", "stranger"]]
    assert await waiting(store) == 0
    await inbox.close()


async def test_a_notice_that_keeps_failing_is_dropped_and_audited(store: Store) -> None:
    meeting_id = await meeting_in_chat(store)
    inbox, _, events = started(store, events=Events(failing=MAX_ATTEMPTS))
    await deliver(inbox, state("established"), roster("a"), roster("a", "b"))
    for _ in range(MAX_ATTEMPTS - 1):
        await sweep(inbox)

    assert events.rosters == [(meeting_id, events.rosters[0][1])]
    assert events.people() == [["a", "b"]]
    (abandoned,) = await audited(store, "call_notice.abandoned")
    assert json.loads(abandoned) == {"call": CALL, "kind": "roster", "attempts": MAX_ATTEMPTS}
    await inbox.close()


async def test_notifications_for_calls_that_are_not_ours_are_dropped(store: Store) -> None:
    inbox, lifecycle, events = started(store)
    await deliver(inbox, state("established"), roster("a"))
    assert (lifecycle.established, events.rosters) == ([], [])
    async with store.reading() as uow:
        assert await uow.session.get(CallRow, CALL) is None
    assert [json.loads(d)["kind"] for d in await audited(store, "call.notification_unmatched")] == [
        "state",
        "roster",
    ]
    assert await waiting(store) == 0
    await inbox.close()
