"""What the bot's telemetry shows of real flows against the sandbox tenant with the real
msgraph-sdk, recorded in memory: a stranger joining is a recording gate decision and a switch
off for that reason, and Graph's error answer on the way is counted by status; a recording made
without consent is a backstop alert, found by a traced job; a consent mailbox read is traced
with its outcomes and the replies' lag; a file nobody agreed to is a share gate refusal. Every
span and data point carries ids, codes and counts, never a name, an address or a title.

On SQLite only: nothing recorded depends on the engine (the inbox gauges' queries are tested on
both in tests/telemetry/)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.graph.mailbox import ConsentMailbox
from bot.instruments import (
    BACKSTOP_ALERTS,
    GATE_DECISIONS,
    GRAPH_ERRORS,
    MAILBOX_LAG,
    RECORDING_SWITCHES,
    REPLY_LAG,
)
from bot.scheduler.runner import JobRunner
from bot.services.backstop_checks import RECORDING_CHECK, RETRY_POLICIES, queue_recording_checks
from consent_store.records import NewDocument
from consent_store.unit_of_work import Store
from sandbox.seed import COORDINATOR, PARENT_CARER, SENCO
from tests.conftest import FakeClock
from tests.sandbox.conftest import RunningSandbox
from tests.telemetry.recorded import Recorded, recording
from tests.tenant_flows.test_document_guard import REPORT_URL, Scene, scene  # noqa: F401
from tests.tenant_flows.test_recording_backstop_checks import backstop, recorded_meeting
from tests.tenant_flows.test_recording_guard import (  # noqa: F401
    ORGANISER,
    STRANGER,
    LiveMeeting,
    live,
    roster_entry,
)

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

PERSONAL = (
    COORDINATOR.display_name,
    COORDINATOR.mail,
    PARENT_CARER.display_name,
    PARENT_CARER.address,
    SENCO.display_name,
    SENCO.address,
    STRANGER.display_name,
    "School report",
    "Medical letter",
)


@pytest.fixture
def recorded() -> Iterator[Recorded]:
    with recording() as kept:
        yield kept


def assert_no_personal_data(recorded: Recorded) -> None:
    written = repr(
        [(s.name, dict(s.attributes or {}), [e.name for e in s.events]) for s in recorded.spans()]
    )
    written += repr(recorded.reader.get_metrics_data())
    for value in PERSONAL:
        assert value not in written


async def test_a_stranger_joining_is_a_gate_decision_and_a_switch_off_for_that_reason(
    recorded: Recorded,
    live: LiveMeeting,  # noqa: F811
) -> None:
    switched_on = {
        "iass.recording.switched": "on",
        "iass.recording.cause": "decision",
        "iass.recording.reason": "none",
    }
    assert recorded.value(RECORDING_SWITCHES, switched_on) == 1

    await live.guard.participant_joined(live.thread_id, ORGANISER)
    live.sandbox.tenant.faults.fail(1, status=500, method="PATCH")
    await live.guard.participant_joined(live.thread_id, STRANGER)

    assert not live.teams_allows_recording()
    graph_error = {"http.response.status_code": 500, "http.request.method": "PATCH"}
    assert recorded.value(GRAPH_ERRORS, graph_error) == 1
    switched_off = {
        "iass.recording.switched": "off",
        "iass.recording.cause": "participant_joined",
        "iass.recording.reason": "unknown_participant_present",
    }
    assert recorded.value(RECORDING_SWITCHES, switched_off) == 1
    refused = {
        "iass.gate": "recording",
        "iass.gate.outcome": "refused",
        "iass.gate.reasons": "closed_since_start,unknown_participant_present",
    }
    assert recorded.value(GATE_DECISIONS, refused) == 2, "as they arrive, then once stored"
    evaluations = [
        s
        for s in recorded.spans("recording_gate.evaluate")
        if s.attributes and s.attributes["iass.gate.outcome"] == "refused"
    ]
    assert evaluations
    assert all(
        s.attributes and s.attributes["iass.meeting.id"] == live.meeting_id for s in evaluations
    )
    assert evaluations[0].attributes
    assert list(evaluations[0].attributes["iass.gate.blockers"]) == [
        "closed_since_start",
        "unknown_participant_present",
    ]
    assert_no_personal_data(recorded)


async def test_a_recording_without_consent_is_a_backstop_alert_found_by_a_traced_job(
    recorded: Recorded,
    store: Store,
    clock: FakeClock,
    tenant_sandbox: RunningSandbox,
    mailbox: ConsentMailbox,
) -> None:
    meeting_id = await recorded_meeting(store, tenant_sandbox, consented=False, transcribed=False)
    async with store.unit_of_work() as uow:
        await queue_recording_checks(uow, await uow.meetings.get(meeting_id), again=False)
        await uow.commit()
    clock.now = datetime.now(UTC) + timedelta(days=2)
    runner = JobRunner(
        store,
        backstop(store, mailbox).job_handlers(),
        worker_id="test",
        lease=timedelta(minutes=1),
        poll_interval=timedelta(seconds=1),
        clock=lambda: clock.now,
        retry=RETRY_POLICIES,
    )
    assert await runner.run_once() == 2

    alert = {"iass.artefact.kind": "recording", "iass.backstop.found_by": "after_meeting"}
    assert recorded.value(BACKSTOP_ALERTS, alert) == 1
    runs = recorded.spans("job.run")
    assert len(runs) == 2
    assert all(
        s.attributes
        and s.attributes["iass.job.kind"] == RECORDING_CHECK
        and s.attributes["iass.meeting.id"] == meeting_id
        for s in runs
    )
    assert_no_personal_data(recorded)


async def test_a_mailbox_read_and_a_file_nobody_agreed_to_are_traced_and_counted(
    recorded: Recorded,
    scene: Scene,  # noqa: F811
) -> None:
    meeting = await scene.schedule((NewDocument("School report", REPORT_URL),))
    await scene.parent_agrees(meeting)

    (read,) = [s for s in recorded.spans("consent_mailbox.read") if s.attributes]
    assert read.attributes is not None
    assert read.attributes["iass.consent_mailbox.messages"] == 1
    assert read.attributes["iass.consent_mailbox.outcome.recorded"] == 1
    (lag,) = recorded.points(REPLY_LAG)
    assert lag.value == 1
    assert recorded.value(MAILBOX_LAG, {}) == 0

    letter = scene.upload("Medical letter.docx", scene.chat_members(meeting.thread_id))
    await scene.post(meeting.thread_id, letter)

    refused = {
        "iass.gate": "share",
        "iass.gate.outcome": "refused",
        "iass.gate.reasons": "not_asked_about_document,not_listed",
    }
    assert recorded.value(GATE_DECISIONS, refused) == 1
    (evaluated,) = recorded.spans("share_gate.evaluate")
    assert evaluated.attributes is not None
    assert evaluated.attributes["iass.meeting.id"] == meeting.id
    assert_no_personal_data(recorded)
