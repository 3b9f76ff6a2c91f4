"""The bot waiting in the meeting lobby, against the sandbox tenant holding bots there (the
product's meetings let only the organiser in directly): its call stays establishing, so
nothing is said; a minute after the start the organiser is told privately, once, by the
durable lobby check; once admitted the opening statement is made. A bot admitted before the
check tells no one."""

from __future__ import annotations

from datetime import timedelta

from bot.graph.mailbox import ConsentMailbox
from bot.scheduler.runner import JobRunner
from consent_store.unit_of_work import Store
from domain.terms import DeclaredRole
from sandbox.seed import COORDINATOR
from tests.conftest import FakeClock
from tests.sandbox.conftest import RunningSandbox
from tests.tenant_flows.test_meeting_opening import (
    LEASE,
    POLL,
    Bot,
    audited,
    bot,
    calls_into,
    scheduled,
)

__all__ = ["bot"]


async def test_a_bot_left_in_the_lobby_tells_the_organiser_and_speaks_once_admitted(
    bot: Bot,
    store: Store,
    clock: FakeClock,
    mailbox: ConsentMailbox,
    tenant_sandbox: RunningSandbox,
) -> None:
    tenant_sandbox.calling.holds_bots_in_lobby = True
    meeting = await scheduled(store, mailbox, tenant_sandbox, DeclaredRole.SUPPORT)
    online = tenant_sandbox.tenant.meetings.get(meeting.online_meeting_id)
    assert online is not None
    assert online.lobby_bypass_scope == "organizer"
    tenant_sandbox.teams.create(meeting.online_meeting_id)
    await tenant_sandbox.teams.start(meeting.online_meeting_id)
    clock.now = meeting.starts_at
    await bot.opening.meeting_started(meeting.thread_id)
    await bot.settle()

    (call,) = calls_into(tenant_sandbox, meeting.thread_id)
    assert (call.state, call.in_lobby) == ("establishing", True)
    assert call.operations == {}
    assert bot.chat.posts == []
    runner = JobRunner(store, bot.opening.job_handlers(), "instance-a", LEASE, POLL, clock)
    clock.now = meeting.starts_at + timedelta(seconds=30)
    await runner.run_once()
    assert bot.chat.private == []

    clock.now = meeting.starts_at + timedelta(minutes=1, seconds=1)
    await runner.run_once()
    clock.now += timedelta(minutes=5)
    await runner.run_once()

    ((thread, recipients, notice),) = bot.chat.private
    assert (thread, recipients) == (meeting.thread_id, (COORDINATOR.object_id,))
    assert "waiting in the lobby" in notice
    assert (await audited(store, meeting.meeting_id)).count("meeting.bot_in_lobby") == 1

    tenant_sandbox.teams.admit_bot(meeting.online_meeting_id)
    await bot.settle()
    assert call.state == "established"
    assert [operation.status for operation in call.operations.values()] == ["completed"]
    ((_, _, card),) = bot.chat.posts
    assert card is not None
    assert "To support the parent carer or young person." in str(card)
    assert (await audited(store, meeting.meeting_id)).count("meeting.announced") == 1


async def test_a_bot_admitted_within_the_minute_tells_no_one(
    bot: Bot,
    store: Store,
    clock: FakeClock,
    mailbox: ConsentMailbox,
    tenant_sandbox: RunningSandbox,
) -> None:
    tenant_sandbox.calling.holds_bots_in_lobby = True
    meeting = await scheduled(store, mailbox, tenant_sandbox, DeclaredRole.SUPPORT)
    tenant_sandbox.teams.create(meeting.online_meeting_id)
    await tenant_sandbox.teams.start(meeting.online_meeting_id)
    clock.now = meeting.starts_at
    await bot.opening.meeting_started(meeting.thread_id)
    await bot.settle()
    tenant_sandbox.teams.admit_bot(meeting.online_meeting_id)
    await bot.settle()

    clock.now = meeting.starts_at + timedelta(minutes=2)
    await JobRunner(store, bot.opening.job_handlers(), "a", LEASE, POLL, clock).run_once()

    assert bot.chat.private == []
    assert len(bot.chat.posts) == 1
    assert "meeting.bot_in_lobby" not in await audited(store, meeting.meeting_id)
