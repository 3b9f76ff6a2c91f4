"""SIGTERM mid-story (issue 16): the bot served as `iass-bot serve` serves it, in a process of
its own against the sandbox tenant (the invariants harness's `World`), is sent SIGTERM while it
is handling a burst of what Teams sent about a live meeting: files posted in the chat, people
joining and leaving. It stops within 30 s and gives back what it held (no lease of a meeting
chat, a call or a timed job is left to run out); started again, it handles every activity
Teams delivered exactly once: each file is decided once (one record, one audit entry, one
notice in the chat, its sharing withdrawn), each stranger's arrival is audited once, and who
the store says is present is who is in the meeting.

Graph answers slowly during the burst (the sandbox's latency fault), so the activities are all
stored before many are handled, and the SIGTERM lands half-way through them.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from bot.announcement.document_replies import file_refused_notice
from bot.services.recording_guard import presence_key
from consent_store.tables import (
    AuditEntryRow,
    CallNoticeLeaseRow,
    CallNoticeRow,
    JobRow,
    MeetingActivityRow,
    MeetingChatLeaseRow,
    PresenceRow,
    SharedFileRow,
)
from sandbox.seed import COORDINATOR, PARENT_CARER, SENCO
from sandbox.teams.live_meetings import LiveMeeting
from tests.conftest import ENGINES
from tests.invariants.harness import Meeting, World

FILES = 10
HALF = FILES // 2
"""SIGTERM comes once half the files are decided: the bot then holds some it has handled
and not yet forgotten (it forgets a batch at a time), and some it has not handled."""
VISITORS = ("Visitor One", "Visitor Two", "Visitor Three")
GRAPH_LATENCY_SECONDS = 0.15
STOP_SECONDS = 30.0
SETTLE_SECONDS = 90.0


@pytest.fixture(params=ENGINES)
async def world(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[World]:
    opened = World(request.param, tmp_path)
    try:
        await opened.open()
        yield opened
    finally:
        await opened.close()


async def until(check: Callable[[], Awaitable[bool]], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {seconds:.0f} s")
        await asyncio.sleep(0.1)


async def count(world: World, statement: Any) -> int:
    assert world.store is not None
    async with world.store.reading() as uow:
        return int(await uow.session.scalar(statement) or 0)


def rows_of(table: Any) -> Any:
    return select(func.count()).select_from(table)


def audited(action: str) -> Any:
    return rows_of(AuditEntryRow).where(AuditEntryRow.action == action)


async def inboxes_empty(world: World) -> bool:
    return (
        await count(world, rows_of(MeetingActivityRow)) == 0
        and await count(world, rows_of(CallNoticeRow)) == 0
    )


async def held_by(world: World, holder: str) -> dict[str, int]:
    """The leases and job claims `holder` still holds (unexpired, unfinished)."""
    now = datetime.now(UTC)
    return {
        "meeting chats": await count(
            world,
            rows_of(MeetingChatLeaseRow).where(
                MeetingChatLeaseRow.holder == holder, MeetingChatLeaseRow.lease_until > now
            ),
        ),
        "calls": await count(
            world,
            rows_of(CallNoticeLeaseRow).where(
                CallNoticeLeaseRow.holder == holder, CallNoticeLeaseRow.lease_until > now
            ),
        ),
        "jobs": await count(
            world,
            rows_of(JobRow).where(
                JobRow.claimed_by == holder,
                JobRow.lease_until > now,
                JobRow.done_at.is_(None),
            ),
        ),
    }


async def post_file(meeting: Meeting, number: int) -> tuple[str, str]:
    """The organiser posts a file in the meeting chat (no one agreed to any document);
    returns its drive's and its own id."""
    status, answer = await meeting.world.control(
        "POST",
        f"/meetings/{quote(meeting.online_meeting_id, safe='')}/files",
        {"from": COORDINATOR.object_id, "name": f"notes-{number}.docx", "content": "notes"},
    )
    assert status == 201, answer
    assert answer["delivery"]["outcome"].startswith("delivered"), answer
    return str(answer["driveId"]), str(answer["itemId"])


async def visitor_joins(meeting: Meeting, name: str) -> None:
    status, answer = await meeting.world.control(
        "POST",
        f"/meetings/{quote(meeting.online_meeting_id, safe='')}/participants",
        {"anonymousName": name},
    )
    assert status == 201, answer
    assert answer["delivery"]["outcome"].startswith("delivered"), answer
    meeting.present[name] = answer["participant"]["user"]["id"]


async def files_decided(world: World) -> int:
    return await count(world, rows_of(SharedFileRow))


async def test_sigterm_mid_story_loses_nothing_and_repeats_nothing(world: World) -> None:
    meeting = Meeting(world, starts_in_seconds=3600)
    await meeting.schedule()
    await meeting.start()
    await until(lambda: inboxes_empty(world), SETTLE_SECONDS, "the start's handling")

    world.tenant.faults.latency_seconds = GRAPH_LATENCY_SECONDS
    files = await asyncio.gather(*(post_file(meeting, number) for number in range(FILES)))
    await asyncio.gather(
        meeting.join(PARENT_CARER.address),
        meeting.join(SENCO.address),
        *(visitor_joins(meeting, name) for name in VISITORS),
    )
    await asyncio.gather(meeting.leave(SENCO.address), meeting.leave(VISITORS[0]))

    assert world.bot is not None
    assert world.bot.current is not None
    process = world.bot.current
    await until(lambda: _at_least(files_decided(world), HALF), SETTLE_SECONDS, "half the decisions")
    decided_before = await files_decided(world)
    stopping = time.monotonic()
    process.send_signal(signal.SIGTERM)
    status = await asyncio.to_thread(process.wait, STOP_SECONDS)
    stopped_in = time.monotonic() - stopping
    still_held = await held_by(world, _worker_id(process))
    world.tenant.faults.latency_seconds = 0.0

    assert status == 0
    assert decided_before < FILES, "the SIGTERM came after the burst was handled"
    assert still_held == {"meeting chats": 0, "calls": 0, "jobs": 0}

    await world.until_bot_ready(SETTLE_SECONDS)
    await until(lambda: inboxes_empty(world), SETTLE_SECONDS, "handling after the restart")
    await until(lambda: _at_least(files_decided(world), FILES), SETTLE_SECONDS, "every decision")

    assert world.store is not None
    async with world.store.reading() as uow:
        decided = (
            await uow.session.execute(select(SharedFileRow.drive_item_id, SharedFileRow.outcome))
        ).all()
    times_decided = Counter(item for item, _ in decided)
    assert [item for item, times in times_decided.items() if times > 1] == [], "decided twice"
    assert sorted(times_decided) == sorted(item for _, item in files)
    assert {outcome for _, outcome in decided} == {"revoked"}
    assert await count(world, audited("document.refused")) == FILES
    assert _refusals_in_chat(meeting) == FILES
    assert [item for drive, item in files if _still_shared(world, drive, item)] == []
    assert await count(world, _uninvited_seen_in_meeting()) == len(VISITORS)
    assert await seen_present(world, meeting) == in_the_meeting(meeting)
    print(f"SIGTERM with {decided_before} of {FILES} files decided; stopped in {stopped_in:.1f} s")


async def _at_least(counted: Awaitable[int], least: int) -> bool:
    return await counted >= least


def _uninvited_seen_in_meeting() -> Any:
    return audited("meeting.uninvited_participant").where(
        AuditEntryRow.detail.contains('"source":"meeting"')
    )


def _worker_id(process: subprocess.Popen[str]) -> str:
    """The bot process's name in leases and job claims (`bot.mailbox.runtime.worker_id`)."""
    return f"{socket.gethostname()}-{process.pid}"


def _refusals_in_chat(meeting: Meeting) -> int:
    """How many times the bot told the chat a file was not shared."""
    refused = file_refused_notice().text
    chat = meeting.world.tenant.conversations.meeting_chat(meeting.online_meeting.thread_id)
    return sum(
        1
        for entry in chat.entries
        if entry.direction == "from_bot" and entry.activity.get("text") == refused
    )


def _still_shared(world: World, drive_id: str, item_id: str) -> bool:
    drive = world.tenant.files.drive(drive_id)
    assert drive is not None
    return [p.roles for p in drive.items[item_id].permissions] != [("owner",)]


async def seen_present(world: World, meeting: Meeting) -> dict[str, bool]:
    """Whether the store has each person who came to the meeting as present now, by name:
    under the key their join and leave events gave, or the one the bot's call roster gave
    (an anonymous person's differ)."""
    assert world.store is not None
    thread_id = meeting.online_meeting.thread_id
    calls = world.tenant.calls.live_in(thread_id)
    async with world.store.reading() as uow:
        found = await uow.meetings.by_chat_thread(thread_id)
        assert found is not None
        rows = await uow.session.execute(
            select(PresenceRow.participant_index, PresenceRow.left_at).where(
                PresenceRow.meeting_id == found.id
            )
        )
        present = {index for index, left_at in rows if left_at is None}
    seen = {}
    for attendance in _live(meeting).attendance.values():
        account = attendance.account
        ids = [account.id, *(call.participant_ids.get(account.id, "") for call in calls)]
        keys = {presence_key(teams_id, account.aad_object_id) for teams_id in ids if teams_id}
        seen[account.name] = any(
            world.store.blind_index.of_participant(key) in present for key in keys
        )
    return seen


def in_the_meeting(meeting: Meeting) -> dict[str, bool]:
    return {a.account.name: a.left_at is None for a in _live(meeting).attendance.values()}


def _live(meeting: Meeting) -> LiveMeeting:
    live = meeting.world.tenant.live_meetings.get(meeting.online_meeting_id)
    assert live is not None
    return live
