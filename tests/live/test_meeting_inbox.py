"""The meeting activity inbox on both engines: Teams is answered once an activity is stored;
it is handled after that in order per chat; what was stored while the bot was not handling is
handled when it starts; a chat leased by another instance waits for that lease to run out; a
failed activity is tried again at the next sweep and dropped, audited, after the last attempt;
stopping finishes the activity in hand and hands the rest back, so the next start repeats none;
posted files give way to the requests the bot is answering, while someone joining does not (and
lifts the files ahead of them in their chat); nothing of an activity stays once handled, and its
names are never stored in plain text."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import timedelta
from typing import Self

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from bot.foreground import Foreground
from bot.meeting_inbox import MAX_ATTEMPTS, MeetingActivityInbox
from bot.services.live_meeting import PostedFile, TeamsPerson
from bot.services.meeting_activity import (
    FilePosted,
    MeetingActivity,
    MeetingEnded,
    MeetingStarted,
    ParticipantJoined,
    ParticipantLeft,
)
from consent_store.engine import create_engine
from consent_store.keys import KeyRing, new_key
from consent_store.meeting_activities import MeetingActivities
from consent_store.rekey import reencrypt
from consent_store.tables import AuditEntryRow, MeetingActivityRow
from consent_store.unit_of_work import Store, UnitOfWork
from tests.conftest import FakeClock
from tests.outage import Outage, eventually

FIRST_CHAT = "19:meeting_first@thread.v2"
SECOND_CHAT = "19:meeting_second@thread.v2"
PARENT = TeamsPerson("29:parent", "Jordan Example", None)
STRANGER = TeamsPerson("29:stranger", "Visitor Somebody", None)
REPORT = PostedFile("Jordan school report.docx", "https://example/report", "item-1", "docx")


class Recorder:
    """Handles activities by noting them; fails the ones listed in `failing` (by position in
    the order they come), and can be held mid-activity."""

    def __init__(self, failing: int = 0) -> None:
        self.handled: list[tuple[str, MeetingActivity]] = []
        self.failing = failing
        self.release = asyncio.Event()
        self.release.set()
        self.entered = asyncio.Event()

    async def handle(self, thread_id: str, activity: MeetingActivity) -> None:
        self.entered.set()
        await self.release.wait()
        if self.failing:
            self.failing -= 1
            raise ConnectionError("the store could not be reached")
        self.handled.append((thread_id, activity))


async def waiting(store: Store) -> int:
    async with store.reading() as uow:
        return await MeetingActivities(uow.session).count()


def inbox(store: Store, holder: str = "instance-a") -> MeetingActivityInbox:
    return MeetingActivityInbox(store, holder, sweep_seconds=3600)


async def test_activities_are_handled_in_order_per_chat_and_then_forgotten(store: Store) -> None:
    activities = inbox(store)
    recorder = Recorder()
    activities.start(recorder)
    sent: list[tuple[str, MeetingActivity]] = [
        (FIRST_CHAT, MeetingStarted()),
        (SECOND_CHAT, ParticipantJoined(PARENT)),
        (FIRST_CHAT, ParticipantJoined(STRANGER)),
        (FIRST_CHAT, FilePosted(PARENT, REPORT)),
        (SECOND_CHAT, ParticipantLeft(PARENT)),
        (FIRST_CHAT, MeetingEnded()),
    ]
    try:
        await asyncio.gather(*(activities.accept(chat, activity) for chat, activity in sent))
        await activities.idle()
    finally:
        await activities.stop()

    for chat in (FIRST_CHAT, SECOND_CHAT):
        assert [a for c, a in recorder.handled if c == chat] == [a for c, a in sent if c == chat]
    assert await waiting(store) == 0


async def test_names_are_sealed_while_an_activity_waits(store: Store) -> None:
    activities = inbox(store)
    await activities.accept(FIRST_CHAT, FilePosted(PARENT, REPORT))

    async with store.reading() as uow:
        row = (await uow.session.scalars(select(MeetingActivityRow))).one()
    assert row.kind == "file_posted"
    for plain in (PARENT.display_name, REPORT.name, REPORT.content_url):
        assert plain.encode() not in row.payload_enc


async def test_what_was_stored_before_the_start_is_handled_at_the_start(store: Store) -> None:
    before = inbox(store)
    await before.accept(FIRST_CHAT, ParticipantJoined(STRANGER))
    await before.accept(FIRST_CHAT, ParticipantLeft(STRANGER))
    assert await waiting(store) == 2

    recorder = Recorder()
    before.start(recorder)
    try:
        await before.idle()
    finally:
        await before.stop()

    assert recorder.handled == [
        (FIRST_CHAT, ParticipantJoined(STRANGER)),
        (FIRST_CHAT, ParticipantLeft(STRANGER)),
    ]
    assert await waiting(store) == 0


class WritesHeld(Store):
    """The store, with writing held while `writable` is clear: a unit of work that writes
    waits until it is set (reading goes on)."""

    writable: asyncio.Event

    def unit_of_work(self) -> UnitOfWork:
        return HeldUnitOfWork(self)


class HeldUnitOfWork(UnitOfWork):
    async def __aenter__(self) -> Self:
        assert isinstance(self.store, WritesHeld)
        await self.store.writable.wait()
        return await super().__aenter__()


async def test_a_quiet_chats_activity_is_handled_without_waiting_to_write_again(
    database_url: str, key_ring: KeyRing, clock: FakeClock
) -> None:
    """A chat with no worker is taken on as its activity is stored (its lease taken and its
    first batch read in that transaction), so a stranger's join reaches its handler while
    every other writer holds the store: under a flood on SQLite, waiting for the writer again
    was most of a stranger's time to the switch."""
    store = WritesHeld(create_engine(database_url), key_ring, clock)
    store.writable = asyncio.Event()
    store.writable.set()
    activities = inbox(store)
    recorder = Recorder()
    activities.start(recorder)
    try:
        await activities.accept(FIRST_CHAT, ParticipantJoined(STRANGER))
        store.writable.clear()
        await eventually(lambda: recorder.handled != [], seconds=5)
        assert recorder.handled == [(FIRST_CHAT, ParticipantJoined(STRANGER))]
        assert await waiting(store) == 1
        store.writable.set()
        await activities.idle()
        assert await waiting(store) == 0
    finally:
        store.writable.set()
        await activities.stop()
        await store.close()


async def test_files_wait_while_the_bot_is_answering_requests(store: Store) -> None:
    foreground = Foreground(busy_turn_seconds=60)
    activities = MeetingActivityInbox(
        store, "instance-a", sweep_seconds=3600, foreground=foreground
    )
    recorder = Recorder()
    activities.start(recorder)
    try:
        with foreground.answering():
            await foreground.turn()
            await activities.accept(FIRST_CHAT, FilePosted(PARENT, REPORT))
            await activities.accept(SECOND_CHAT, FilePosted(PARENT, REPORT))
            await asyncio.sleep(0.3)
            assert recorder.handled == []
        await activities.idle()
    finally:
        await activities.stop()

    assert sorted(recorder.handled, key=lambda handled: handled[0]) == [
        (FIRST_CHAT, FilePosted(PARENT, REPORT)),
        (SECOND_CHAT, FilePosted(PARENT, REPORT)),
    ]


async def test_someone_joining_goes_first_while_the_bot_is_answering_requests(
    store: Store,
) -> None:
    foreground = Foreground(busy_turn_seconds=60)
    activities = MeetingActivityInbox(
        store, "instance-a", sweep_seconds=3600, foreground=foreground
    )
    recorder = Recorder()
    activities.start(recorder)
    try:
        with foreground.answering():
            await foreground.turn()
            await activities.accept(SECOND_CHAT, FilePosted(PARENT, REPORT))
            await activities.accept(FIRST_CHAT, FilePosted(PARENT, REPORT))
            await activities.accept(FIRST_CHAT, ParticipantJoined(STRANGER))
            await eventually(lambda: len(recorder.handled) == 2)
            await asyncio.sleep(0.2)
            assert recorder.handled == [
                (FIRST_CHAT, FilePosted(PARENT, REPORT)),
                (FIRST_CHAT, ParticipantJoined(STRANGER)),
            ]
        await activities.idle()
    finally:
        await activities.stop()

    assert recorder.handled[2:] == [(SECOND_CHAT, FilePosted(PARENT, REPORT))]


async def test_a_chat_another_instance_holds_waits_for_its_lease(
    store: Store, clock: FakeClock
) -> None:
    first, second = inbox(store, "instance-a"), inbox(store, "instance-b")
    held = Recorder()
    held.release.clear()
    first.start(held)
    second_recorder = Recorder()
    second.start(second_recorder)
    try:
        await first.accept(FIRST_CHAT, ParticipantJoined(PARENT))
        await held.entered.wait()
        await second.accept(FIRST_CHAT, ParticipantJoined(STRANGER))
        await second.idle()
        assert second_recorder.handled == []

        clock.now += timedelta(minutes=2)
        await second.sweep()
        await second.idle()
    finally:
        held.release.set()
        await first.stop()
        await second.stop()

    assert second_recorder.handled == [
        (FIRST_CHAT, ParticipantJoined(PARENT)),
        (FIRST_CHAT, ParticipantJoined(STRANGER)),
    ]


async def test_a_failed_activity_is_tried_again_at_the_next_sweep(store: Store) -> None:
    activities = inbox(store)
    recorder = Recorder(failing=1)
    await activities.accept(FIRST_CHAT, ParticipantJoined(STRANGER))
    await activities.accept(FIRST_CHAT, ParticipantLeft(STRANGER))
    activities.start(recorder)
    try:
        await activities.idle()
        assert recorder.handled == []
        assert await waiting(store) == 2

        await activities.sweep()
        await activities.idle()
    finally:
        await activities.stop()

    assert recorder.handled == [
        (FIRST_CHAT, ParticipantJoined(STRANGER)),
        (FIRST_CHAT, ParticipantLeft(STRANGER)),
    ]


async def test_stopping_finishes_the_activity_in_hand_and_the_next_start_repeats_none(
    store: Store,
) -> None:
    stopping = inbox(store)
    held = Recorder()
    held.release.clear()
    stopping.start(held)
    sent = [ParticipantJoined(PARENT), FilePosted(PARENT, REPORT), ParticipantLeft(PARENT)]
    await stopping.accept(FIRST_CHAT, sent[0])
    await stopping.accept(FIRST_CHAT, sent[1])
    await held.entered.wait()
    stop = asyncio.create_task(stopping.stop())
    await stopping.accept(FIRST_CHAT, sent[2])
    held.release.set()
    await stop

    after = inbox(store, "instance-b")
    recorder = Recorder()
    after.start(recorder)
    try:
        await after.idle()
    finally:
        await after.stop()
    assert [activity for _, activity in held.handled] == sent[:1]
    assert [activity for _, activity in recorder.handled] == sent[1:]
    assert await waiting(store) == 0


class StoreGoesDown(Recorder):
    """Handles the first activity as the store goes away under it, as a real outage would."""

    def __init__(self, outage: Outage) -> None:
        super().__init__()
        self.outage = outage
        self.down = False

    async def handle(self, thread_id: str, activity: MeetingActivity) -> None:
        if not self.down:
            self.down = True
            await self.outage.begin()
            raise ConnectionError("the store could not be reached")
        await super().handle(thread_id, activity)


async def test_a_join_that_met_the_store_down_is_handled_when_it_is_back(
    store: Store, database_url: str
) -> None:
    outage = Outage(store, database_url)
    activities = MeetingActivityInbox(store, "instance-a", sweep_seconds=0.05)
    recorder = StoreGoesDown(outage)
    activities.start(recorder)
    try:
        await activities.accept(FIRST_CHAT, ParticipantJoined(STRANGER))
        await eventually(lambda: recorder.down)
        await asyncio.sleep(0.3)
        await outage.end()
        await eventually(lambda: bool(recorder.handled))
        await activities.idle()
    finally:
        await activities.stop()

    assert recorder.handled == [(FIRST_CHAT, ParticipantJoined(STRANGER))]
    assert await waiting(store) == 0


async def test_an_activity_that_keeps_failing_is_dropped_and_audited(store: Store) -> None:
    activities = inbox(store)
    recorder = Recorder(failing=MAX_ATTEMPTS)
    activities.start(recorder)
    try:
        await activities.accept(FIRST_CHAT, FilePosted(PARENT, REPORT))
        await activities.accept(FIRST_CHAT, MeetingEnded())
        await activities.idle()
        for _ in range(MAX_ATTEMPTS - 1):
            await activities.sweep()
            await activities.idle()
    finally:
        await activities.stop()

    assert recorder.handled == [(FIRST_CHAT, MeetingEnded())]
    assert await waiting(store) == 0
    async with store.reading() as uow:
        audited = (
            await uow.session.scalars(
                select(AuditEntryRow).where(AuditEntryRow.action == "meeting_activity.abandoned")
            )
        ).one()
    assert json.loads(audited.detail) == {"kind": "file_posted", "attempts": MAX_ATTEMPTS}


async def test_activities_are_not_acknowledged_when_they_cannot_be_stored(
    key_ring: KeyRing,
) -> None:
    unreachable = Store.open("postgresql+asyncpg://postgres@127.0.0.1:1/nowhere", key_ring)
    activities = inbox(unreachable)
    try:
        outcomes = await asyncio.gather(
            activities.accept(FIRST_CHAT, ParticipantJoined(STRANGER)),
            activities.accept(SECOND_CHAT, FilePosted(PARENT, REPORT)),
            return_exceptions=True,
        )
    finally:
        await unreachable.close()

    assert all(isinstance(outcome, OSError | SQLAlchemyError) for outcome in outcomes)


async def test_a_waiting_activity_is_handled_after_a_key_rotation(
    store: Store, key_ring: KeyRing, database_url: str, clock: FakeClock
) -> None:
    await inbox(store).accept(FIRST_CHAT, FilePosted(PARENT, REPORT))
    rotated = replace(key_ring, encryption_keys={"k2": new_key().encode()[:32]}, active_key_id="k2")
    both = replace(rotated, encryption_keys={**key_ring.encryption_keys, **rotated.encryption_keys})
    rotating = Store.open(database_url, both, clock)
    try:
        assert (await reencrypt(rotating, "test"))["meeting_activities"] == 1
    finally:
        await rotating.close()

    after = Store.open(database_url, rotated, clock)
    activities = inbox(after)
    recorder = Recorder()
    activities.start(recorder)
    try:
        await activities.idle()
    finally:
        await activities.stop()
        await after.close()
    assert recorder.handled == [(FIRST_CHAT, FilePosted(PARENT, REPORT))]
