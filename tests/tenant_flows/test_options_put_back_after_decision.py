"""Settings changed in Teams are put back after a consent decision, by the reconcile job the
decision queues (issue 14, "after each decision"), against the sandbox tenant on both engines.

The organiser switches recording, transcription and automatic recording on in the meeting
options (the sandbox room page's form). The parent then agrees by email; the school has not
replied, so the gate still says no. The mailbox reader records the decision, and with it
queues the meeting's reconcile job. The reader does not carry it out itself: its process
stopped before it could, or its own attempt met a Graph failure. The job runner, wired as the
bot wires it, runs the job: Teams is switched back, `recording.settings_restored` is audited
with what was found, and the organiser is told."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select
from yarl import URL

from bot.config import ServiceProfile
from bot.graph.mailbox import ConsentMailbox
from bot.graph.meetings import OnlineMeetings
from bot.mailbox.reader import MailboxReader
from bot.policy.blockers import BlockerCode
from bot.policy.recording_gate import evaluate_recording
from bot.scheduler.runner import JobRunner
from bot.services.consent_intake import FOLLOW_UP_GRACE
from bot.services.recording_checks import RECONCILE_SOON, reconcile_job_key
from bot.services.recording_enforcement import reconcile_handlers, reconcile_recording
from consent_store.tables import AuditEntryRow, JobRow
from consent_store.unit_of_work import Store
from sandbox.seed import BOT_CATALOG_APP_ID, PARENT_CARER
from tests.conftest import FakeClock
from tests.sandbox.conftest import RunningSandbox
from tests.tenant_flows.conftest import People
from tests.tenant_flows.test_calendar_meetings import (
    audit_actions,
    organiser_inbox,
    schedule,
    stored,
    teams_meeting,
)
from tests.tenant_flows.test_meeting_options_form import form_as_sent


@pytest.fixture
def service(env_without_iass: Path) -> ServiceProfile:
    return ServiceProfile()


@pytest.fixture
def meetings(mailbox: ConsentMailbox, tenant_sandbox: RunningSandbox) -> OnlineMeetings:
    return OnlineMeetings(mailbox.graph, BOT_CATALOG_APP_ID, tenant_sandbox.graph_base_url)


async def switch_recording_on_in_the_meeting_options(
    sandbox: RunningSandbox, join_url: str
) -> None:
    """As the organiser, in the room page's meeting options form."""
    async with aiohttp.ClientSession() as organiser:
        room = await organiser.get(sandbox.url(URL(join_url, encoded=True).raw_path_qs))
        action, fields = form_as_sent(await room.text(), "/options")
        fields |= {"allowRecording": "yes", "allowTranscription": "yes"}
        fields |= {"recordAutomatically": "yes"}
        saved = await organiser.post(sandbox.url(action), data=fields)
        assert "The meeting options were saved." in await saved.text()


@pytest.mark.usefixtures("graph_retried_at_once")
@pytest.mark.parametrize("reader_attempt", ["stopped", "graph_failed"])
async def test_a_decision_puts_back_recording_switched_on_in_the_meeting_options(
    store: Store,
    meetings: OnlineMeetings,
    mailbox: ConsentMailbox,
    service: ServiceProfile,
    tenant_sandbox: RunningSandbox,
    people: People,
    clock: FakeClock,
    reader_attempt: str,
) -> None:
    clock.now = datetime.now(UTC) - timedelta(seconds=5)
    scheduled = await schedule(store, meetings, mailbox, service)
    meeting_id = scheduled.meeting_id
    teams = teams_meeting(tenant_sandbox, await stored(store, meeting_id))
    await switch_recording_on_in_the_meeting_options(tenant_sandbox, scheduled.join_url)
    assert (teams.allow_recording, teams.allow_transcription, teams.record_automatically) == (
        True,
        True,
        True,
    )

    await people.reply(PARENT_CARER.address, scheduled.reference, "Yes to all of it.")
    if reader_attempt == "stopped":
        reader = MailboxReader(store, mailbox, service)
        due = FOLLOW_UP_GRACE
    else:
        tenant_sandbox.tenant.faults.fail(4, status=500, method="PATCH", path_contains="/online")

        async def reconcile(decided: str) -> None:
            await reconcile_recording(store, meetings, decided, mailbox)

        reader = MailboxReader(store, mailbox, service, on_decisions=reconcile)
        due = RECONCILE_SOON
    assert await reader.catch_up() == {"recorded": 1}

    assert teams.allow_recording, "nothing has put it back yet"
    async with store.reading() as uow:
        facts = await uow.meetings.facts(meeting_id)
        job = await uow.session.scalar(
            select(JobRow).where(JobRow.key == reconcile_job_key(meeting_id))
        )
    assert {b.code for b in evaluate_recording(facts).blockers} == {BlockerCode.NO_REPLY}
    assert job is not None
    assert (job.done_at, job.due_at) == (None, clock.now + due)

    reconcile_jobs, retry = reconcile_handlers(store, meetings, mailbox)
    runner = JobRunner(
        store,
        {**reader.follow_up_handlers(), **reconcile_jobs},
        "instance-b",
        timedelta(minutes=1),
        timedelta(seconds=1),
        clock=store.clock,
        retry=retry,
    )
    clock.now += due
    assert await runner.run_once() >= 1

    assert (teams.allow_recording, teams.allow_transcription, teams.record_automatically) == (
        False,
        False,
        False,
    )
    async with store.reading() as uow:
        details = list(
            await uow.session.scalars(
                select(AuditEntryRow.detail).where(
                    AuditEntryRow.meeting_id == meeting_id,
                    AuditEntryRow.action == "recording.settings_restored",
                )
            )
        )
    (restored,) = [json.loads(detail) for detail in details]
    assert restored["cause"] == "reconcile"
    assert (restored["found_allow_recording"], restored["found_record_automatically"]) == (
        True,
        True,
    )
    assert restored["restored_allowed"] is False
    assert restored["blockers"] == [BlockerCode.NO_REPLY.value]
    (notice,) = [m for m in organiser_inbox(tenant_sandbox) if scheduled.reference in m["Subject"]]
    assert "Teams no longer allows recording" in str(notice["Subject"])
    assert (await stored(store, meeting_id)).needs_attention is None
    assert await runner.run_once() == 0
    assert (await audit_actions(store, meeting_id)).count("recording.settings_restored") == 1
