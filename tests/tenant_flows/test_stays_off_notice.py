"""The private notice that recording stays off until the meeting ends is never lost: the guard
gives it at once and its durable job then has nothing to do; when the store fails just after
the gate's closing is noted, when the chat refuses the notice, or when something other than
the guard closes the gate (consent withdrawn by email during the meeting), the job gives it,
once, with the reasons noted when the gate closed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from bot.graph.mailbox import ConsentMailbox
from bot.graph.meetings import OnlineMeetings
from bot.scheduler.runner import JobRunner
from bot.services.recording_enforcement import enforce_recording
from bot.services.stays_off_notice import BACKSTOP_AFTER, stays_off_handlers
from consent_store.readiness import STORE_FAILURES
from consent_store.unit_of_work import Store
from sandbox.seed import BOT_CATALOG_APP_ID, COORDINATOR
from tests.conftest import FakeClock
from tests.outage import Outage
from tests.sandbox.conftest import RunningSandbox
from tests.tenant_flows.live_meeting import ORGANISER, STRANGER, LiveMeeting, RecordingChat

UNINVITED = "Someone who is not on the attendee list is in the meeting."


class OutageAfterSwitchOff(OnlineMeetings):
    """Graph; `outage`, when set, begins once a change switching recording off is sent."""

    outage: Outage | None = None

    async def set_recording(self, organiser_id: str, meeting_id: str, allowed: bool) -> None:
        await super().set_recording(organiser_id, meeting_id, allowed)
        if not allowed and self.outage is not None:
            outage, self.outage = self.outage, None
            await outage.begin()


class RefusingChat(RecordingChat):
    """A chat whose private notices fail while `refusing` is set."""

    refusing = True

    async def notify_privately(self, thread_id: str, object_ids: Sequence[str], text: str) -> None:
        if self.refusing:
            raise aiohttp.ClientConnectionError("connector unreachable")
        await super().notify_privately(thread_id, object_ids, text)


async def started_meeting(
    store: Store,
    mailbox: ConsentMailbox,
    tenant_sandbox: RunningSandbox,
    clock: FakeClock,
    chat: RecordingChat | None = None,
) -> tuple[LiveMeeting, OutageAfterSwitchOff]:
    clock.now = datetime.now(UTC)
    meetings = OutageAfterSwitchOff(
        mailbox.graph, BOT_CATALOG_APP_ID, tenant_sandbox.graph_base_url
    )
    live = LiveMeeting(store, tenant_sandbox, meetings, chat)
    await live.schedule_with_everyones_consent()
    await live.guard.participant_joined(live.thread_id, ORGANISER)
    assert live.teams_allows_recording()
    return live, meetings


def job_runner(live: LiveMeeting, clock: FakeClock) -> JobRunner:
    return JobRunner(
        live.store,
        stays_off_handlers(live.store, live.chat),
        "instance-b",
        timedelta(minutes=1),
        timedelta(seconds=1),
        clock=clock,
    )


def given_to_organiser(live: LiveMeeting) -> list[str]:
    notices = live.chat.stays_off()
    assert all(to == [COORDINATOR.object_id] for _, to, _ in notices)
    return [text for _, _, text in notices]


async def test_the_notice_given_at_once_leaves_its_job_nothing_to_do(
    store: Store, mailbox: ConsentMailbox, tenant_sandbox: RunningSandbox, clock: FakeClock
) -> None:
    live, _ = await started_meeting(store, mailbox, tenant_sandbox, clock)

    await live.guard.participant_joined(live.thread_id, STRANGER)
    await live.guard.settled()
    (notice,) = given_to_organiser(live)
    assert UNINVITED in notice

    clock.now += BACKSTOP_AFTER
    assert await job_runner(live, clock).run_once() == 0
    assert len(given_to_organiser(live)) == 1


async def test_a_store_outage_just_after_the_closing_leaves_the_notice_to_its_job(
    store: Store,
    mailbox: ConsentMailbox,
    tenant_sandbox: RunningSandbox,
    clock: FakeClock,
    database_url: str,
) -> None:
    """The store fails as Teams is told to stop allowing recording: the closing is noted, but
    the guard never reaches the notice, and handled again the closing is not the first. The
    job noted with the closing gives it, once, with the reason the gate closed."""
    live, meetings = await started_meeting(store, mailbox, tenant_sandbox, clock)
    meetings.outage = outage = Outage(store, database_url)
    try:
        with pytest.raises(STORE_FAILURES):
            await live.guard.participant_joined(live.thread_id, STRANGER)
    finally:
        await outage.end()
    await live.guard.participant_joined(live.thread_id, STRANGER)
    await live.guard.settled()
    assert not live.teams_allows_recording()
    assert given_to_organiser(live) == []

    runner = job_runner(live, clock)
    assert await runner.run_once() == 0
    clock.now += BACKSTOP_AFTER
    assert await runner.run_once() == 1
    (notice,) = given_to_organiser(live)
    assert UNINVITED in notice
    assert "Guest 4411" not in notice
    clock.now += BACKSTOP_AFTER
    assert await runner.run_once() == 0
    assert len(given_to_organiser(live)) == 1


async def test_a_notice_the_chat_refuses_is_given_by_its_job_once_the_chat_takes_it(
    store: Store, mailbox: ConsentMailbox, tenant_sandbox: RunningSandbox, clock: FakeClock
) -> None:
    chat = RefusingChat()
    live, _ = await started_meeting(store, mailbox, tenant_sandbox, clock, chat)

    await live.guard.participant_joined(live.thread_id, STRANGER)
    await live.guard.settled()
    assert given_to_organiser(live) == []
    failed = await live.audited("recording.notice_failed")
    assert sum('"notices":["stays_off"]' in f for f in failed) == 1

    runner = job_runner(live, clock)
    clock.now += BACKSTOP_AFTER
    assert await runner.run_once() == 1
    assert given_to_organiser(live) == []
    chat.refusing = False
    clock.now += timedelta(minutes=1)
    assert await runner.run_once() == 1
    (notice,) = given_to_organiser(live)
    assert UNINVITED in notice


async def test_consent_withdrawn_by_email_during_the_meeting_is_told_by_the_job(
    store: Store, mailbox: ConsentMailbox, tenant_sandbox: RunningSandbox, clock: FakeClock
) -> None:
    """Recording closed by a decision from email (not the guard) was never told in the chat;
    the job gives the notice, with the withdrawal as the reason."""
    live, _ = await started_meeting(store, mailbox, tenant_sandbox, clock)
    await live.parent_withdraws()
    await enforce_recording(live.store, live.meetings, live.meeting_id, cause="decision")
    assert not live.teams_allows_recording()

    clock.now += BACKSTOP_AFTER
    assert await job_runner(live, clock).run_once() == 1
    (notice,) = given_to_organiser(live)
    assert "Someone withdrew consent to recording the meeting." in notice
