"""Notifications after the 202, on both engines: a call the bot has not recorded yet is matched
by its meeting chat, its state only moves forward (a late "established" does not revive an
ended call), duplicates change nothing, the establishment is reported once, and rosters reach
`CallEvents` unless they repeat the last one handled (one whose handling failed is handled when
it comes again)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from bot.calling.inbox import CallNotificationInbox
from bot.calling.notifications import read_comms_notifications
from bot.services.live_meeting import RosterEntry
from consent_store.tables import AuditEntryRow, CallRow
from consent_store.unit_of_work import Store
from tests.builders import schedule

CALL = "2f1a0b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b"
THREAD = "19:meeting_inbox@thread.v2"


class Lifecycle:
    def __init__(self) -> None:
        self.established: list[tuple[str, str]] = []

    async def call_established(self, meeting_id: str, call_id: str) -> None:
        self.established.append((meeting_id, call_id))


class Events:
    def __init__(self) -> None:
        self.rosters: list[tuple[str, tuple[RosterEntry, ...]]] = []

    async def roster_changed(self, meeting_id: str, roster: Sequence[RosterEntry]) -> None:
        self.rosters.append((meeting_id, tuple(roster)))


class FailingOnce(Events):
    """Call events whose first roster fails to be handled (the store was unreachable)."""

    def __init__(self) -> None:
        super().__init__()
        self.failed = False

    async def roster_changed(self, meeting_id: str, roster: Sequence[RosterEntry]) -> None:
        if not self.failed:
            self.failed = True
            raise OperationalError("UPDATE meeting_presence", {}, ConnectionError())
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


async def deliver(inbox: CallNotificationInbox, *bodies: dict[str, Any]) -> None:
    for body in bodies:
        inbox.accept(read_comms_notifications(body))
    await inbox.idle()


async def call_state(store: Store) -> str:
    async with store.reading() as uow:
        row = await uow.session.get(CallRow, CALL)
    assert row is not None
    return row.state


async def test_state_moves_forward_only_and_is_reported_once(store: Store) -> None:
    meeting_id = await meeting_in_chat(store)
    lifecycle, events = Lifecycle(), Events()
    inbox = CallNotificationInbox(store, lifecycle, events)

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
    async with store.reading() as uow:
        changes = (
            await uow.session.scalars(
                select(AuditEntryRow.detail).where(AuditEntryRow.action == "call.state_changed")
            )
        ).all()
    assert [('"established"' in d, '"terminated"' in d) for d in changes] == [
        (True, False),
        (False, True),
    ]


async def test_rosters_reach_call_events_unless_they_repeat_the_last(store: Store) -> None:
    meeting_id = await meeting_in_chat(store)
    events = Events()
    inbox = CallNotificationInbox(store, Lifecycle(), events)
    await deliver(inbox, state("established"))

    await deliver(inbox, roster("a"), roster("a"), roster("a", "b"), roster("a"))

    assert [(m, [e.participant_id for e in r]) for m, r in events.rosters] == [
        (meeting_id, ["a"]),
        (meeting_id, ["a", "b"]),
        (meeting_id, ["a"]),
    ]


async def test_a_roster_whose_handling_failed_is_handled_when_it_comes_again(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    meeting_id = await meeting_in_chat(store)
    events = FailingOnce()
    inbox = CallNotificationInbox(store, Lifecycle(), events)
    await deliver(inbox, state("established"))

    await deliver(inbox, roster("a", "stranger"), roster("a", "stranger"))

    assert [(m, [e.participant_id for e in r]) for m, r in events.rosters] == [
        (meeting_id, ["a", "stranger"]),
    ]
    (failure,) = [r for r in caplog.records if r.name == "bot.calling.inbox"]
    assert failure.getMessage() == (
        f"handling a RosterNotice notice of call {CALL} failed: OperationalError"
    )
    assert failure.exc_info is None


async def test_notifications_for_calls_that_are_not_ours_are_dropped(store: Store) -> None:
    lifecycle, events = Lifecycle(), Events()
    inbox = CallNotificationInbox(store, lifecycle, events)
    await deliver(inbox, state("established"), roster("a"))
    assert (lifecycle.established, events.rosters) == ([], [])
    async with store.reading() as uow:
        assert await uow.session.get(CallRow, CALL) is None
