"""Opening a meeting against the sandbox tenant, with the product's msgraph-sdk client, its
`/api/calls` endpoint and its served prompts (espeak-ng), on both engines: the bot joins the
call once, whether Teams says the meeting started or the start time comes (or both, on two
instances); states the role in the call (the sandbox fetches and checks the WAV) and as a card
in the meeting chat; tells the organiser privately when "contribute" was not agreed; marks and
audits a card that cannot be posted; copes with duplicated, reordered and differently spelt
notifications; retries a failed join; makes one statement when an instance stops between
placing the call and recording it; never joins a cancelled meeting; tells a latecomer at once
when it stops; and leaves when the meeting ends."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import socket
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import select

from bot.calling.endpoint import attach_calling
from bot.calling.inbox import CallNotificationInbox
from bot.calling.prompts import PromptShelf, attach_prompts
from bot.calling.tokens import CallingTokenValidator
from bot.calling.voice import MeetingCallVoice
from bot.config import ServiceProfile
from bot.graph.calls import CALLBACK_PATH, MeetingCalls
from bot.graph.mailbox import ConsentMailbox
from bot.graph.meetings import OnlineMeetings
from bot.scheduler.runner import JobRunner
from bot.services.live_meeting import RosterEntry, TeamsPerson
from bot.services.meeting_opening import JOIN_FAILED, MeetingOpening
from bot.services.opening_statement import ANNOUNCEMENT_FAILED
from bot.services.scheduling import schedule_meeting
from bot.speech.cache import CachedSpeech
from bot.speech.espeak import EspeakBackend
from consent_store.keys import KeyRing
from consent_store.tables import AuditEntryRow, CallRow, MeetingRow
from consent_store.unit_of_work import Store
from domain.terms import DeclaredRole
from sandbox.calls.calls import Call
from sandbox.endpoints import calling_openid_url
from sandbox.seed import BOT_CATALOG_APP_ID, BOT_CLIENT_ID, COORDINATOR
from tests.conftest import FakeClock
from tests.sandbox.conftest import RunningSandbox
from tests.tenant_flows.conftest import parent_and_school_meeting

LEASE, POLL = timedelta(minutes=5), timedelta(seconds=1)


@dataclass
class Chat:
    """A MeetingChat double keeping what it was asked to say; `fail_with` makes posting fail."""

    posts: list[tuple[str, str, dict[str, Any] | None]] = field(default_factory=list)
    private: list[tuple[str, tuple[str, ...], str]] = field(default_factory=list)
    fail_with: Exception | None = None

    async def post(self, thread_id: str, text: str, card: dict[str, Any] | None = None) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.posts.append((thread_id, text, card))

    async def notify_privately(self, thread_id: str, object_ids: Sequence[str], text: str) -> None:
        self.private.append((thread_id, tuple(object_ids), text))


@dataclass
class Events:
    rosters: list[tuple[str, tuple[RosterEntry, ...]]] = field(default_factory=list)

    async def roster_changed(self, meeting_id: str, roster: Sequence[RosterEntry]) -> None:
        self.rosters.append((meeting_id, tuple(roster)))

    async def roster_unchecked(self, meeting_id: str) -> None:
        raise AssertionError("no roster goes unchecked while the store is up")


@dataclass
class Bot:
    """One bot instance served on a port of its own, as Graph sees it."""

    sandbox: RunningSandbox
    calls: MeetingCalls
    voice: MeetingCallVoice
    opening: MeetingOpening
    inbox: CallNotificationInbox
    chat: Chat
    events: Events

    async def settle(self) -> None:
        """Wait until the sandbox and the bot have nothing left to say to each other."""
        for _ in range(4):
            self.sandbox.calling.release_held()
            await self.sandbox.calling.idle()
            await self.inbox.idle()
            await self.voice.settled()

    def other_instance(self, store: Store, name: str) -> MeetingOpening:
        """Another bot instance on the same database (behind the same public URL)."""
        return MeetingOpening(
            store, self.calls, self.chat, self.voice, ServiceProfile(), worker_id=name
        )


@pytest.fixture
async def bot(
    tenant_sandbox: RunningSandbox, store: Store, mailbox: ConsentMailbox, env_without_iass: Path
) -> AsyncIterator[Bot]:
    tenant = tenant_sandbox.tenant
    tenant.sandbox_url = tenant_sandbox.origin
    tenant.prompt_time_scale = 0
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    origin = f"http://127.0.0.1:{listening.getsockname()[1]}"
    calls = MeetingCalls(mailbox.graph, origin + CALLBACK_PATH, tenant.tenant_id)
    shelf = PromptShelf(CachedSpeech(EspeakBackend()), origin, store.cipher)
    inbox = CallNotificationInbox(store, "instance-a")
    voice = MeetingCallVoice(store, calls, shelf, inbox.prompt_turns)
    chat, events = Chat(), Events()
    opening = MeetingOpening(store, calls, chat, voice, ServiceProfile(), worker_id="instance-a")
    inbox.start(opening, events)
    app = web.Application()
    validator = CallingTokenValidator(
        BOT_CLIENT_ID, calling_openid_url(tenant_sandbox.origin), tenant.tenant_id
    )
    attach_calling(app, validator, inbox)
    attach_prompts(app, shelf)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.SockSite(runner, listening).start()
    yield Bot(tenant_sandbox, calls, voice, opening, inbox, chat, events)
    await runner.cleanup()


@dataclass(frozen=True)
class Scheduled:
    meeting_id: str
    online_meeting_id: str
    thread_id: str
    starts_at: datetime


async def scheduled(
    store: Store, mailbox: ConsentMailbox, sandbox: RunningSandbox, role: DeclaredRole
) -> Scheduled:
    meetings = OnlineMeetings(mailbox.graph, BOT_CATALOG_APP_ID, sandbox.graph_base_url)
    start = datetime.now(UTC) + timedelta(days=1)
    meeting = dataclasses.replace(parent_and_school_meeting(start), declared_role=role)
    made = await schedule_meeting(
        store, meetings, mailbox, ServiceProfile(), meeting, COORDINATOR.display_name, ()
    )
    async with store.reading() as uow:
        row = await uow.meetings.get(made.meeting_id)
    assert row.teams_meeting_id is not None
    assert row.teams_chat_thread_id is not None
    return Scheduled(made.meeting_id, row.teams_meeting_id, row.teams_chat_thread_id, start)


def calls_into(sandbox: RunningSandbox, thread_id: str) -> list[Call]:
    return [call for call in sandbox.tenant.calls.all() if call.thread_id == thread_id]


async def audited(store: Store, meeting_id: str) -> list[str]:
    async with store.reading() as uow:
        return list(
            await uow.session.scalars(
                select(AuditEntryRow.action)
                .where(AuditEntryRow.meeting_id == meeting_id)
                .order_by(AuditEntryRow.seq)
            )
        )


async def the_call(store: Store, meeting_id: str) -> CallRow:
    async with store.reading() as uow:
        (row,) = (
            await uow.session.scalars(select(CallRow).where(CallRow.meeting_id == meeting_id))
        ).all()
    return row


def card_text(card: dict[str, Any] | None) -> str:
    assert card is not None
    return json.dumps(card)


async def test_the_meeting_start_joins_once_and_the_role_is_stated_and_explained_privately(
    bot: Bot,
    store: Store,
    database_url: str,
    key_ring: KeyRing,
    clock: FakeClock,
    mailbox: ConsentMailbox,
    tenant_sandbox: RunningSandbox,
) -> None:
    meeting = await scheduled(store, mailbox, tenant_sandbox, DeclaredRole.SUPPORT_AND_CONTRIBUTE)
    tenant_sandbox.teams.create(meeting.online_meeting_id)
    await tenant_sandbox.teams.start(meeting.online_meeting_id)
    other_store = Store.open(database_url, key_ring, clock)
    try:
        other = bot.other_instance(other_store, "instance-b")
        await asyncio.gather(
            bot.opening.meeting_started(meeting.thread_id),
            other.meeting_started(meeting.thread_id),
            bot.opening.meeting_started(meeting.thread_id),
        )
    finally:
        await other_store.close()
    await bot.settle()

    (call,) = calls_into(tenant_sandbox, meeting.thread_id)
    assert call.state == "established"
    (operation,) = call.operations.values()
    assert operation.status == "completed"
    (played,) = operation.prompts
    assert played.problem is None
    assert played.duration_seconds is not None
    assert played.duration_seconds > 5

    ((thread, text, card),) = bot.chat.posts
    assert thread == meeting.thread_id
    assert COORDINATOR.display_name in text
    shown = card_text(card)
    assert COORDINATOR.display_name in shown
    assert "To support the parent carer or young person." in shown
    assert "contribute" not in shown
    assert "Not permitted" in shown
    ((private_thread, recipients, notice),) = bot.chat.private
    assert (private_thread, recipients) == (meeting.thread_id, (COORDINATOR.object_id,))
    assert "support only" in notice
    assert any(
        COORDINATOR.object_id in {entry.object_id for entry in roster}
        for _, roster in bot.events.rosters
    )
    actions = await audited(store, meeting.meeting_id)
    assert actions.count("meeting.joined") == 1
    assert actions.count("meeting.announced") == 1
    assert "Priya" not in "".join(actions)

    await bot.opening.meeting_ended(meeting.thread_id)
    await bot.settle()
    assert call.state == "terminated"
    assert (await the_call(store, meeting.meeting_id)).state == "terminated"
    assert "meeting.ended" in await audited(store, meeting.meeting_id)


async def test_a_card_that_cannot_be_posted_marks_the_meeting_and_is_audited(
    bot: Bot, store: Store, mailbox: ConsentMailbox, tenant_sandbox: RunningSandbox
) -> None:
    meeting = await scheduled(store, mailbox, tenant_sandbox, DeclaredRole.SUPPORT_AND_CONTRIBUTE)
    tenant_sandbox.teams.create(meeting.online_meeting_id)
    await tenant_sandbox.teams.start(meeting.online_meeting_id)
    bot.chat.fail_with = aiohttp.ClientConnectionError("connector unreachable")

    await bot.opening.meeting_started(meeting.thread_id)
    await bot.settle()

    (call,) = calls_into(tenant_sandbox, meeting.thread_id)
    assert [operation.status for operation in call.operations.values()] == ["completed"]
    assert bot.chat.posts == []
    ((_, recipients, _),) = bot.chat.private
    assert recipients == (COORDINATOR.object_id,)
    async with store.reading() as uow:
        assert (await uow.meetings.get(meeting.meeting_id)).needs_attention == ANNOUNCEMENT_FAILED
        (failed,) = await uow.session.scalars(
            select(AuditEntryRow.detail).where(
                AuditEntryRow.meeting_id == meeting.meeting_id,
                AuditEntryRow.action == "meeting.announcement_failed",
            )
        )
    assert '"notices":["card"]' in failed
    assert "ClientConnectionError" in failed
    assert (await audited(store, meeting.meeting_id)).count("meeting.announced") == 1


async def test_the_start_time_joins_once_through_duplicated_reordered_notifications(
    bot: Bot,
    store: Store,
    database_url: str,
    key_ring: KeyRing,
    clock: FakeClock,
    mailbox: ConsentMailbox,
    tenant_sandbox: RunningSandbox,
) -> None:
    meeting = await scheduled(store, mailbox, tenant_sandbox, DeclaredRole.SUPPORT)
    tenant_sandbox.teams.create(meeting.online_meeting_id)
    await tenant_sandbox.teams.start(meeting.online_meeting_id)
    faults = tenant_sandbox.tenant.faults
    faults.vary_call_ids = True
    faults.disturb_notifications("reorder")
    faults.disturb_notifications("duplicate", 6)
    clock.now = meeting.starts_at + timedelta(minutes=1)
    other_store = Store.open(database_url, key_ring, clock)
    try:
        runners = [
            JobRunner(s, opening.job_handlers(), opening_name, LEASE, POLL, clock)
            for s, opening, opening_name in (
                (store, bot.opening, "instance-a"),
                (other_store, bot.other_instance(other_store, "instance-b"), "instance-b"),
            )
        ]
        await asyncio.gather(*(runner.run_once() for runner in runners))
        await bot.settle()
        await bot.opening.meeting_started(meeting.thread_id)
        await bot.settle()
    finally:
        await other_store.close()

    outcomes = [delivery.outcome for delivery in tenant_sandbox.calling.deliveries]
    assert outcomes.count("held back (fault)") == 1
    delivered = [d for d in tenant_sandbox.calling.deliveries if d.outcome.startswith("delivered")]
    duplicates = len(delivered) - len({(d.resource_url, d.change_type) for d in delivered})
    assert duplicates == 3
    (call,) = calls_into(tenant_sandbox, meeting.thread_id)
    assert [operation.status for operation in call.operations.values()] == ["completed"]
    assert (await the_call(store, meeting.meeting_id)).state == "established"
    ((_, _, card),) = bot.chat.posts
    assert "To support the parent carer or young person." in card_text(card)
    assert bot.chat.private == []
    assert len(bot.events.rosters) == 1
    actions = await audited(store, meeting.meeting_id)
    assert actions.count("meeting.joined") == 1
    assert actions.count("meeting.announced") == 1
    assert actions.count("call.prompt_finished") == 1


async def test_a_failed_join_needs_attention_and_is_retried(
    bot: Bot,
    store: Store,
    clock: FakeClock,
    mailbox: ConsentMailbox,
    tenant_sandbox: RunningSandbox,
) -> None:
    meeting = await scheduled(store, mailbox, tenant_sandbox, DeclaredRole.SUPPORT)
    tenant_sandbox.teams.create(meeting.online_meeting_id)
    await tenant_sandbox.teams.start(meeting.online_meeting_id)
    tenant_sandbox.tenant.faults.fail(
        status=500, method="POST", path_contains="/communications/calls"
    )
    runner = JobRunner(store, bot.opening.job_handlers(), "instance-a", LEASE, POLL, clock)

    clock.now = meeting.starts_at
    await runner.run_once()
    assert calls_into(tenant_sandbox, meeting.thread_id) == []
    async with store.reading() as uow:
        assert (await uow.meetings.get(meeting.meeting_id)).needs_attention == JOIN_FAILED
    assert "meeting.join_failed" in await audited(store, meeting.meeting_id)

    clock.now += timedelta(minutes=1)
    await runner.run_once()
    await bot.settle()
    assert len(calls_into(tenant_sandbox, meeting.thread_id)) == 1
    async with store.reading() as uow:
        assert (await uow.meetings.get(meeting.meeting_id)).needs_attention is None
    assert len(bot.chat.posts) == 1


async def test_a_cancelled_meeting_is_never_joined(
    bot: Bot,
    store: Store,
    clock: FakeClock,
    mailbox: ConsentMailbox,
    tenant_sandbox: RunningSandbox,
) -> None:
    meeting = await scheduled(store, mailbox, tenant_sandbox, DeclaredRole.SUPPORT)
    tenant_sandbox.teams.create(meeting.online_meeting_id)
    await tenant_sandbox.teams.start(meeting.online_meeting_id)
    async with store.unit_of_work() as uow:
        row = await uow.session.get(MeetingRow, meeting.meeting_id)
        assert row is not None
        row.status = "cancelled"
        await uow.commit()

    await bot.opening.meeting_started(meeting.thread_id)
    clock.now = meeting.starts_at
    await JobRunner(store, bot.opening.job_handlers(), "a", LEASE, POLL, clock).run_once()

    assert calls_into(tenant_sandbox, meeting.thread_id) == []
    assert bot.chat.posts == []
    assert "meeting.join_skipped" in await audited(store, meeting.meeting_id)


async def test_latecomers_waiting_for_others_are_told_at_once_when_the_bot_stops(
    bot: Bot, store: Store, mailbox: ConsentMailbox, tenant_sandbox: RunningSandbox
) -> None:
    """Someone joins after the opening statement and the bot stops while it waits for others
    joining with them (an hour here): they are told the short statement as it stops, neither
    after the pause nor never."""
    meeting = await scheduled(store, mailbox, tenant_sandbox, DeclaredRole.SUPPORT)
    tenant_sandbox.teams.create(meeting.online_meeting_id)
    await tenant_sandbox.teams.start(meeting.online_meeting_id)
    await bot.opening.meeting_started(meeting.thread_id)
    await bot.settle()
    stopping = MeetingOpening(
        store,
        bot.calls,
        bot.chat,
        bot.voice,
        ServiceProfile(),
        worker_id="instance-b",
        latecomer_pause=3600.0,
    )

    latecomer = TeamsPerson("29:latecomer", "Pat Latecomer")
    await stopping.participant_joined(meeting.thread_id, latecomer)
    await asyncio.wait_for(stopping.settled(), timeout=30)
    await bot.settle()

    statement, told = bot.chat.posts
    assert COORDINATOR.display_name in statement[1]
    assert told[1].startswith("For anyone who has just joined")
    assert "meeting.latecomers_told" in await audited(store, meeting.meeting_id)


class Crash(BaseException):
    """The instance stops dead: nothing after it runs, not even the job runner's records."""


@dataclass
class CrashAfterPlacing:
    """The calls port of an instance that stops just after Graph placed its call, before the
    store records it."""

    calls: MeetingCalls

    async def join(self, thread_id: str, organiser_id: str) -> str:
        await self.calls.join(thread_id, organiser_id)
        raise Crash

    def __getattr__(self, name: str) -> Any:
        return getattr(self.calls, name)


@pytest.mark.parametrize("notified", ["before the retry", "after the retry"])
async def test_a_crash_between_placing_the_call_and_recording_it_makes_one_statement(
    notified: str,
    bot: Bot,
    store: Store,
    database_url: str,
    key_ring: KeyRing,
    clock: FakeClock,
    mailbox: ConsentMailbox,
    tenant_sandbox: RunningSandbox,
) -> None:
    """Instance A places the call and stops before recording it. Graph's notifications
    record the call from its meeting chat, so instance B's retry of the join job, once A's
    claim runs out, finds the bot in the call; if they come only after the retry placed a
    second call, that call makes no second statement."""
    meeting = await scheduled(store, mailbox, tenant_sandbox, DeclaredRole.SUPPORT)
    tenant_sandbox.teams.create(meeting.online_meeting_id)
    await tenant_sandbox.teams.start(meeting.online_meeting_id)
    crashing = MeetingOpening(
        store,
        CrashAfterPlacing(bot.calls),  # type: ignore[arg-type]
        bot.chat,
        bot.voice,
        ServiceProfile(),
        worker_id="instance-a",
    )
    clock.now = meeting.starts_at
    if notified == "after the retry":
        tenant_sandbox.tenant.faults.disturb_notifications("reorder", 10)
    runner_a = JobRunner(store, crashing.job_handlers(), "instance-a", LEASE, POLL, clock)
    with pytest.raises(BaseExceptionGroup):
        await runner_a.run_once()
    assert len(calls_into(tenant_sandbox, meeting.thread_id)) == 1
    if notified == "before the retry":
        await bot.settle()
    else:
        await tenant_sandbox.calling.idle()
        tenant_sandbox.tenant.faults.clear()

    clock.now += LEASE + timedelta(seconds=1)
    other_store = Store.open(database_url, key_ring, clock)
    try:
        other = bot.other_instance(other_store, "instance-b")
        runner_b = JobRunner(other_store, other.job_handlers(), "instance-b", LEASE, POLL, clock)
        await runner_b.run_once()
        await bot.settle()
    finally:
        await other_store.close()

    placed = calls_into(tenant_sandbox, meeting.thread_id)
    assert len(placed) == (1 if notified == "before the retry" else 2)
    assert len(bot.chat.posts) == 1
    prompts = [p for call in placed for o in call.operations.values() for p in o.prompts]
    assert len(prompts) == 1
    actions = await audited(store, meeting.meeting_id)
    assert actions.count("meeting.announced") == 1
