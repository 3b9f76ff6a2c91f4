"""The recording gate fails closed under odd timings and faults, end to end against the sandbox
tenant with the product's mailbox reader, recording guard and job runner (issue 12):

- a meeting started early: replies after the real start are late, documents stay refused, and
  recording is never switched on during the meeting;
- one Graph 500 or 502 while a withdrawal switches recording off is ridden out;
- the process dies between recording decisions and their follow-ups: another instance's job
  runner sends the receipts and makes Teams match the gate;
- no bot instance watches a meeting under way for a while (a restart, or a notification
  refused while the store was down): someone may have joined and left unseen, so recording
  stays off for the rest of it; before the start, or with another instance watching, nothing
  changes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.config import ServiceProfile
from bot.graph.mailbox import ConsentMailbox
from bot.graph.meetings import OnlineMeetings
from bot.mailbox.reader import MailboxReader
from bot.policy.blockers import BlockerCode
from bot.policy.recording_gate import SWITCH_ON_MARGIN, evaluate_recording
from bot.policy.share_gate import evaluate_share
from bot.scheduler.runner import JobRunner
from bot.services.consent_intake import FOLLOW_UP_GRACE, take_in_all
from bot.services.consent_requests import send_consent_requests
from bot.services.intake_results import InboundEmail
from bot.services.live_meeting import TeamsPerson
from bot.services.meeting_start import StartSource
from bot.services.meeting_watch import MeetingWatch
from bot.services.recording_enforcement import reconcile_handlers, reconcile_recording
from bot.services.recording_guard import RecordingGuard
from bot.services.recording_setting import lock_down_and_confirm
from bot.services.scheduling import open_teams_meeting
from consent_store.records import NewAttendee, NewDocument
from consent_store.tables import AuditEntryRow
from consent_store.unit_of_work import Store
from domain.terms import AttendeeKind
from sandbox.seed import BOT_CATALOG_APP_ID, COORDINATOR, PARENT_CARER, SENCO
from tests.builders import a_meeting, schedule
from tests.conftest import FakeClock
from tests.sandbox.conftest import RunningSandbox
from tests.tenant_flows.conftest import People

PARENT = NewAttendee(PARENT_CARER.display_name, PARENT_CARER.address, AttendeeKind.PARENT_CARER)
SCHOOL = NewAttendee(SENCO.display_name, SENCO.address, AttendeeKind.PROFESSIONAL, "Fellside")
STRANGER = TeamsPerson("29:1stranger", "Guest 4411")
ORGANISER = TeamsPerson("29:1organiser", COORDINATOR.display_name, COORDINATOR.object_id)


class Chat:
    async def post(self, thread_id: str, text: str, card: dict[str, Any] | None = None) -> None:
        return None

    async def notify_privately(self, thread_id: str, object_ids: Sequence[str], text: str) -> None:
        return None


class Voice:
    async def say(self, meeting_id: str, text: str) -> None:
        return None


@dataclass
class Meeting:
    """A meeting stored, asked for consent by email and created in the sandbox's Teams."""

    store: Store
    sandbox: RunningSandbox
    mailbox: ConsentMailbox
    meetings: OnlineMeetings
    service: ServiceProfile
    meeting_id: str
    reference: str
    teams_id: str
    thread_id: str
    document_id: str

    def teams_allows_recording(self) -> bool:
        meeting = self.sandbox.tenant.meetings.get(self.teams_id)
        assert meeting is not None
        return meeting.allow_recording

    def reader(self) -> MailboxReader:
        """The mailbox reader as the bot runs it: decisions re-check the gate and make Teams
        match (the reconcile job's work)."""

        async def reconcile(meeting_id: str) -> None:
            await reconcile_recording(self.store, self.meetings, meeting_id, None)

        return MailboxReader(self.store, self.mailbox, self.service, on_decisions=reconcile)

    async def blockers(self) -> set[BlockerCode]:
        async with self.store.reading() as uow:
            facts = await uow.meetings.facts(self.meeting_id)
        return {b.code for b in evaluate_recording(facts).blockers}

    async def document_blockers(self) -> set[BlockerCode]:
        async with self.store.reading() as uow:
            facts = await uow.meetings.facts(self.meeting_id, present=())
        return {b.code for b in evaluate_share(facts, self.document_id).blockers}


@pytest.fixture
def service(env_without_iass: Path) -> ServiceProfile:
    return ServiceProfile()


@pytest.fixture
async def meeting(
    store: Store,
    mailbox: ConsentMailbox,
    tenant_sandbox: RunningSandbox,
    service: ServiceProfile,
    clock: FakeClock,
) -> Meeting:
    """Scheduled for tomorrow at 13:00 with recording requested; nobody has replied yet. The
    store's clock stands a few seconds behind, since mail is stamped to the second."""
    clock.now = datetime.now(UTC) - timedelta(seconds=5)
    tomorrow = (clock.now + timedelta(days=1)).replace(hour=13, minute=0, second=0, microsecond=0)
    meeting_id, _ = await schedule(
        store,
        a_meeting(
            starts_at=tomorrow,
            attendees=(PARENT, SCHOOL),
            documents=(NewDocument("School report", "https://example.com/report.docx"),),
        ),
    )
    meetings = OnlineMeetings(mailbox.graph, BOT_CATALOG_APP_ID, tenant_sandbox.graph_base_url)
    _, teams = await open_teams_meeting(
        meetings, COORDINATOR.object_id, "Review", "", (tomorrow, tomorrow + timedelta(hours=1)), ()
    )
    assert (await lock_down_and_confirm(meetings, COORDINATOR.object_id, teams.id))[0]
    async with store.unit_of_work() as uow:
        row = await uow.meetings.get(meeting_id)
        row.organiser_user_id = COORDINATOR.object_id
        row.teams_meeting_id, row.teams_chat_thread_id = teams.id, teams.chat_thread_id
        row.teams_settings_confirmed_at = uow.now()
        (document,) = await uow.meetings.documents(meeting_id)
        reference = row.reference
        await uow.commit()
    await meetings.install_bot(teams.chat_thread_id)
    tenant_sandbox.tenant.sandbox_url = tenant_sandbox.origin
    tenant_sandbox.teams.create(teams.id)
    await send_consent_requests(store, mailbox, service, meeting_id, "Priya Raman", actor="test")
    return Meeting(
        store,
        tenant_sandbox,
        mailbox,
        meetings,
        service,
        meeting_id,
        reference,
        teams.id,
        teams.chat_thread_id,
        document.id,
    )


async def everyone_says_yes(meeting: Meeting, people: People) -> None:
    await people.reply(PARENT_CARER.address, meeting.reference, "Yes, I agree to everything.")
    await people.reply(SENCO.address, meeting.reference, "Yes, happy for it to be recorded.")


async def withdraws(meeting: Meeting, people: People) -> None:
    await people.write(
        PARENT_CARER.address, f"Re: meeting [{meeting.reference}]", "I withdraw my consent."
    )


async def test_a_meeting_started_early_is_never_recorded_on_replies_after_its_start(
    meeting: Meeting, people: People
) -> None:
    guard = RecordingGuard(meeting.store, meeting.meetings, Chat(), Voice(), bot_app_id="bot")
    await guard.start_seen_in_chat(meeting.thread_id, StartSource.TEAMS_EVENT)
    await guard.participant_joined(meeting.thread_id, ORGANISER)

    await everyone_says_yes(meeting, people)
    assert await meeting.reader().catch_up() == {"late": 2}

    assert not meeting.teams_allows_recording()
    assert BlockerCode.LATE_REPLY in await meeting.blockers()
    assert BlockerCode.LATE_REPLY in await meeting.document_blockers()
    receipts = [
        m
        for m in await people.inbox(PARENT_CARER.address)
        if "recorded your answer" in m["subject"]
    ]
    assert len(receipts) == 1

    await guard.participant_joined(meeting.thread_id, STRANGER)
    await guard.participant_left(meeting.thread_id, STRANGER)
    assert not meeting.teams_allows_recording()
    assert BlockerCode.CLOSED_SINCE_START in await meeting.blockers()


async def test_a_start_the_bot_never_heard_of_is_read_from_the_meeting_chat(
    meeting: Meeting, people: People
) -> None:
    """Everyone replied in time, but the meeting started in Teams before the bot read the
    replies, and Teams' events never reached it (lost while its store was down, or before a
    crash): the chat's record of the call starting still keeps recording off."""
    await everyone_says_yes(meeting, people)
    await meeting.sandbox.teams.start(meeting.teams_id)

    assert await meeting.reader().catch_up() == {"recorded": 2}

    assert not meeting.teams_allows_recording()
    assert BlockerCode.CLOSED_SINCE_START in await meeting.blockers()
    async with meeting.store.reading() as uow:
        started_at = (await uow.meetings.get(meeting.meeting_id)).started_at
    live = meeting.sandbox.tenant.live_meetings.get(meeting.teams_id)
    assert live is not None
    assert live.started_at is not None
    assert started_at is not None
    assert abs((started_at - live.started_at).total_seconds()) < 0.001


async def test_a_chat_that_cannot_be_read_keeps_recording_off_until_it_can(
    meeting: Meeting, people: People
) -> None:
    meeting.sandbox.tenant.faults.fail(1, status=500, method="GET", path_contains="/chats/")
    await everyone_says_yes(meeting, people)
    await meeting.reader().catch_up()
    assert not meeting.teams_allows_recording()

    await reconcile_recording(meeting.store, meeting.meetings, meeting.meeting_id, None)
    assert meeting.teams_allows_recording()


@pytest.mark.parametrize("status", [500, 502])
async def test_one_graph_server_error_does_not_keep_recording_allowed_after_a_withdrawal(
    meeting: Meeting, people: People, status: int
) -> None:
    await everyone_says_yes(meeting, people)
    await meeting.reader().catch_up()
    assert meeting.teams_allows_recording()

    meeting.sandbox.tenant.faults.fail(1, status=status, method="PATCH")
    await withdraws(meeting, people)
    assert await meeting.reader().catch_up() == {"recorded": 1}

    assert not meeting.teams_allows_recording()
    assert BlockerCode.WITHDRAWN in await meeting.blockers()


async def test_follow_ups_lost_in_a_crash_are_carried_out_by_another_instance(
    meeting: Meeting, people: People, clock: FakeClock
) -> None:
    await everyone_says_yes(meeting, people)
    await meeting.reader().catch_up()
    assert meeting.teams_allows_recording()
    async with meeting.store.reading() as uow:
        cursor = await uow.inbound.cursor(meeting.mailbox.address)
    assert cursor is not None
    await withdraws(meeting, people)
    (withdrawal,), _ = await meeting.mailbox.changes(cursor.delta_link)
    raw = await meeting.mailbox.mime(withdrawal.id)

    (recorded,) = await take_in_all(
        meeting.store, [InboundEmail(raw, withdrawal.received_at, withdrawal.id)]
    )
    assert recorded.decisions
    assert meeting.teams_allows_recording()

    reconcile, retry = reconcile_handlers(meeting.store, meeting.meetings, None)
    another = JobRunner(
        meeting.store,
        {**meeting.reader().follow_up_handlers(), **reconcile},
        "instance-b",
        timedelta(minutes=1),
        timedelta(seconds=1),
        clock=meeting.store.clock,
        retry=retry,
    )
    assert await another.run_once() == 0
    clock.now += FOLLOW_UP_GRACE
    assert await another.run_once() == 2
    assert not meeting.teams_allows_recording()
    receipts = [
        m
        for m in await people.inbox(PARENT_CARER.address)
        if "recorded your answer" in m["subject"]
    ]
    assert len(receipts) == 2
    assert await another.run_once() == 0


class Process:
    """One bot instance's meeting watch, beaten by hand, a second of the store's clock apart."""

    def __init__(self, meeting: Meeting, clock: FakeClock) -> None:
        guard = RecordingGuard(meeting.store, meeting.meetings, Chat(), Voice(), bot_app_id="bot")
        self.watch = MeetingWatch(meeting.store, guard.lost_sight_of)
        self.clock = clock

    async def runs_for(self, beats: int) -> None:
        for _ in range(beats):
            await self.watch.beat()
            self.clock.now += timedelta(seconds=1)


async def consented_and_watched(meeting: Meeting, people: People, clock: FakeClock) -> Process:
    """Everyone agreed and Teams allows recording; one bot instance has watched for a while."""
    await everyone_says_yes(meeting, people)
    await meeting.reader().catch_up()
    assert meeting.teams_allows_recording()
    first = Process(meeting, clock)
    await first.runs_for(4)
    return first


async def starts_early(meeting: Meeting, clock: FakeClock) -> None:
    """The meeting starts in Teams a minute on, hours early, and the bot sees it start."""
    clock.now += timedelta(minutes=1)
    await meeting.sandbox.teams.start(meeting.teams_id)
    guard = RecordingGuard(meeting.store, meeting.meetings, Chat(), Voice(), bot_app_id="bot")
    await guard.start_seen_in_chat(meeting.thread_id, StartSource.TEAMS_EVENT)


async def sight_lost_audited(meeting: Meeting) -> list[dict[str, Any]]:
    async with meeting.store.reading() as uow:
        details = await uow.session.scalars(
            select(AuditEntryRow.detail).where(
                AuditEntryRow.meeting_id == meeting.meeting_id,
                AuditEntryRow.action == "recording.sight_lost",
            )
        )
        return [json.loads(detail) for detail in details]


async def test_a_stranger_who_came_and_went_while_no_bot_ran_keeps_recording_off_for_good(
    meeting: Meeting, people: People, clock: FakeClock
) -> None:
    """The bot saw the meeting start with everyone's consent, then stopped (a restart, a
    crash). A stranger joined and left before it came back: no event and no roster reached
    it, and the call's participants no longer name the stranger. Recording stays off for the
    rest of the meeting, and staff are told why."""
    first = await consented_and_watched(meeting, people, clock)
    await starts_early(meeting, clock)
    await first.runs_for(2)
    assert meeting.teams_allows_recording()

    clock.now += timedelta(seconds=20)
    stranger = await meeting.sandbox.teams.admit(meeting.teams_id, anonymous_name="Guest 7310")
    await meeting.sandbox.teams.leave(meeting.teams_id, stranger.attendance.account.id)
    assert meeting.teams_allows_recording()

    await Process(meeting, clock).runs_for(3)
    assert not meeting.teams_allows_recording()
    assert {BlockerCode.SIGHT_LOST, BlockerCode.CLOSED_SINCE_START} <= await meeting.blockers()
    assert [detail["unseen_seconds"] for detail in await sight_lost_audited(meeting)] == [21]


async def test_a_restart_before_the_meeting_starts_leaves_recording_allowed(
    meeting: Meeting, people: People, clock: FakeClock
) -> None:
    """Nobody can join unseen a meeting that has not started: the chat says the call never
    started, so a restart costs nothing."""
    await consented_and_watched(meeting, people, clock)
    clock.now += timedelta(hours=1)
    await Process(meeting, clock).runs_for(3)
    assert meeting.teams_allows_recording()
    assert await meeting.blockers() == set()
    assert await sight_lost_audited(meeting) == []


async def test_a_second_instance_restarting_while_another_watches_loses_nothing(
    meeting: Meeting, people: People, clock: FakeClock
) -> None:
    first = await consented_and_watched(meeting, people, clock)
    await starts_early(meeting, clock)
    second = Process(meeting, clock)
    for _ in range(4):
        await second.watch.beat()
        await first.watch.beat()
        clock.now += timedelta(seconds=1)
    assert meeting.teams_allows_recording()
    assert await sight_lost_audited(meeting) == []


async def test_a_notification_refused_while_the_store_was_down_counts_as_sight_lost(
    meeting: Meeting, people: People, clock: FakeClock
) -> None:
    """What an instance refused is lost whoever else was watching: the meeting under way is
    closed for good although the instance never stopped."""
    first = await consented_and_watched(meeting, people, clock)
    await starts_early(meeting, clock)
    await first.runs_for(2)
    first.watch.lost_sight()
    await first.runs_for(3)
    assert not meeting.teams_allows_recording()
    assert BlockerCode.SIGHT_LOST in await meeting.blockers()


async def test_a_start_that_cannot_be_read_after_a_restart_keeps_recording_off_until_it_can(
    meeting: Meeting, people: People, clock: FakeClock
) -> None:
    """The chat cannot be read when the bot comes back, so whether the meeting ran unseen is
    unknown: recording goes off, and comes back on once the chat shows it never started."""
    await consented_and_watched(meeting, people, clock)
    clock.now += timedelta(minutes=5)
    meeting.sandbox.tenant.faults.fail(1, status=500, method="GET", path_contains="/chats/")
    await Process(meeting, clock).runs_for(3)
    assert not meeting.teams_allows_recording()

    await reconcile_recording(meeting.store, meeting.meetings, meeting.meeting_id, None)
    assert meeting.teams_allows_recording()
    assert await meeting.blockers() == set()


class SlowChat(OnlineMeetings):
    """Graph's answer about the meeting chat arrives `seconds` later by the store's clock."""

    clock: FakeClock
    seconds: float

    async def call_started(self, chat_thread_id: str) -> datetime | None:
        self.clock.now += timedelta(seconds=self.seconds)
        return await super().call_started(chat_thread_id)


def switched_on(meeting: Meeting) -> list[datetime]:
    """When Teams' recording was switched on, ever."""
    teams = meeting.sandbox.tenant.meetings.get(meeting.teams_id)
    assert teams is not None
    return [at for at, allowed in teams.allow_recording_changes if allowed]


async def scheduled_start(meeting: Meeting) -> datetime:
    async with meeting.store.reading() as uow:
        return (await uow.meetings.get(meeting.meeting_id)).starts_at


async def test_consent_completed_moments_before_the_start_never_switches_recording_on(
    meeting: Meeting, people: People, clock: FakeClock
) -> None:
    """The change could land in Teams after the meeting has started, so it is not made."""
    clock.now = await scheduled_start(meeting) - SWITCH_ON_MARGIN + timedelta(seconds=5)
    await everyone_says_yes(meeting, people)
    await meeting.reader().catch_up()
    assert not meeting.teams_allows_recording()
    assert switched_on(meeting) == []


async def test_a_switch_on_delayed_past_its_deadline_is_never_sent(
    meeting: Meeting, people: People, clock: FakeClock
) -> None:
    """Decided in time, but Graph was slow to say whether the call had started: by then the
    start is too close, so the change is not sent and nothing is switched on later."""
    clock.now = await scheduled_start(meeting) - SWITCH_ON_MARGIN - timedelta(seconds=2)
    slow = SlowChat(meeting.mailbox.graph, BOT_CATALOG_APP_ID, meeting.sandbox.graph_base_url)
    slow.clock, slow.seconds = clock, 5.0
    await everyone_says_yes(meeting, people)
    await take_in_all(
        meeting.store,
        [
            InboundEmail(await meeting.mailbox.mime(m.id), m.received_at, m.id)
            for m in (await meeting.mailbox.changes(None))[0]
        ],
    )
    await reconcile_recording(meeting.store, slow, meeting.meeting_id, None)
    assert not meeting.teams_allows_recording()

    await reconcile_recording(meeting.store, slow, meeting.meeting_id, None)
    assert not meeting.teams_allows_recording()
    assert switched_on(meeting) == []


async def test_a_start_heard_late_after_a_restart_is_dated_by_the_chat(
    meeting: Meeting, people: People, clock: FakeClock
) -> None:
    """The meeting started while no bot ran, and Teams' start event reached the new instance
    only after it could see again: the chat's record of the call starting shows the meeting
    was under way unseen, so recording stays off for the rest of it."""
    await consented_and_watched(meeting, people, clock)
    clock.now += timedelta(minutes=1)
    await meeting.sandbox.teams.start(meeting.teams_id)
    stranger = await meeting.sandbox.teams.admit(meeting.teams_id, anonymous_name="Guest 7311")
    await meeting.sandbox.teams.leave(meeting.teams_id, stranger.attendance.account.id)

    second = Process(meeting, clock)
    await second.runs_for(1)
    guard = RecordingGuard(meeting.store, meeting.meetings, Chat(), Voice(), bot_app_id="bot")
    await guard.start_seen_in_chat(meeting.thread_id, StartSource.TEAMS_EVENT)
    assert meeting.teams_allows_recording()

    await second.runs_for(3)
    assert not meeting.teams_allows_recording()
    assert BlockerCode.SIGHT_LOST in await meeting.blockers()
