"""The check after a meeting, against the sandbox tenant through the bot's own Graph clients:
the timed job lists the meeting's recordings and transcripts; one made with everyone's consent
is only noted (ids and times), one made without it is audited and emailed at once to the
organiser and the service manager, and each is kept once however often the check runs. One
kept as permitted is judged again by the check with the facts as they stand then, and alerted
once if the gate is now known to have closed while it ran."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute

from bot.graph.mailbox import ConsentMailbox
from bot.graph.recordings import MeetingRecordings
from bot.instruments import BACKSTOP_ALERTS
from bot.policy.recording_backstop import ArtefactKind
from bot.policy.recording_gate import evaluate_recording
from bot.ports.recordings import NotifiedArtefact
from bot.scheduler.runner import JobRunner
from bot.services.backstop_checks import RETRY_POLICIES, queue_recording_checks
from bot.services.recording_backstop import (
    FOUND_WITHOUT_CONSENT,
    JUDGED_AGAIN,
    FoundBy,
    RecordingBackstop,
)
from bot.services.recording_notes import note_closed_for_good
from consent_store.recording_artefacts import RecordingArtefacts
from consent_store.tables import AuditEntryRow
from consent_store.unit_of_work import Store, UnitOfWork
from domain.terms import Participant
from sandbox.graph.online_meetings import open_online_meeting
from sandbox.seed import BOT_CLIENT_ID, COORDINATOR, PARENT_CARER, SENCO, SERVICE_MANAGER
from tests.builders import reply
from tests.conftest import FakeClock
from tests.sandbox.conftest import RunningSandbox
from tests.telemetry.recorded import recording
from tests.tenant_flows.conftest import People, parent_and_school_meeting

ALERT_SUBJECT = "a recording made without consent"


async def recorded_meeting(
    store: Store, sandbox: RunningSandbox, *, consented: bool, transcribed: bool
) -> str:
    """A meeting that started ten minutes ago, recorded in Teams for eight minutes of it."""
    now = datetime.now(UTC)
    online = open_online_meeting(sandbox.tenant, COORDINATOR, {"allowTranscription": transcribed})
    async with store.unit_of_work() as uow:
        row = await uow.meetings.add(parent_and_school_meeting(now - timedelta(minutes=10)), now)
        row.teams_meeting_id = online.id
        attendees = await uow.meetings.attendees(row.id)
        await uow.commit()
    if consented:
        for attendee, address in zip(attendees, (PARENT_CARER.address, SENCO.address), strict=True):
            await reply(store, row.id, attendee.id, address, received_at=now - timedelta(days=1))
    sandbox.tenant.recordings.made(
        meeting_id=online.id,
        organizer_id=COORDINATOR.object_id,
        tenant_id=sandbox.tenant.tenant_id,
        call_id="call",
        started_at=now - timedelta(minutes=9),
        ended_at=now - timedelta(minutes=1),
        transcribed=transcribed,
    )
    return row.id


def backstop(store: Store, mailbox: ConsentMailbox) -> RecordingBackstop:
    return RecordingBackstop(
        store,
        MeetingRecordings(mailbox.graph, BOT_CLIENT_ID),
        mailbox,
        manager_role="IASS.Manager",
    )


async def audited(
    uow: UnitOfWork, meeting_id: str, action: str, column: InstrumentedAttribute[Any]
) -> list[Any]:
    """`column` of each of the meeting's audit entries for `action`."""
    return list(
        await uow.session.scalars(
            select(column).where(
                AuditEntryRow.meeting_id == meeting_id, AuditEntryRow.action == action
            )
        )
    )


async def alerts(people: People, address: str) -> int:
    return sum(ALERT_SUBJECT in m["subject"] for m in await people.inbox(address))


async def test_the_job_after_the_meeting_notes_a_permitted_recording_and_its_transcript(
    store: Store,
    clock: FakeClock,
    tenant_sandbox: RunningSandbox,
    mailbox: ConsentMailbox,
    people: People,
) -> None:
    meeting_id = await recorded_meeting(store, tenant_sandbox, consented=True, transcribed=True)
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
    async with store.reading() as uow:
        found = await RecordingArtefacts(uow).for_meeting(meeting_id)
        actions = list(
            await uow.session.scalars(
                select(AuditEntryRow.action).where(AuditEntryRow.meeting_id == meeting_id)
            )
        )
    assert sorted((a.kind, a.permitted, a.found_by) for a in found) == [
        ("recording", True, "after_meeting"),
        ("transcript", True, "after_meeting"),
    ]
    assert all(a.created_at is not None and a.ended_at is not None for a in found)
    assert actions.count("recording.found") == 2
    assert "recording.found_without_consent" not in actions
    assert await alerts(people, COORDINATOR.mail) == 0


async def test_a_recording_without_consent_is_alerted_once_to_organiser_and_manager(
    store: Store, tenant_sandbox: RunningSandbox, mailbox: ConsentMailbox, people: People
) -> None:
    meeting_id = await recorded_meeting(store, tenant_sandbox, consented=False, transcribed=False)
    checking = backstop(store, mailbox)
    assert len(await checking.check_meeting(meeting_id, FoundBy.AFTER_MEETING)) == 1
    assert await checking.check_meeting(meeting_id, FoundBy.AFTER_MEETING) == []
    assert await alerts(people, COORDINATOR.mail) == 1
    assert await alerts(people, SERVICE_MANAGER.mail) == 1
    (alert,) = [
        m for m in await people.inbox(SERVICE_MANAGER.mail) if ALERT_SUBJECT in m["subject"]
    ]
    async with store.reading() as uow:
        (found,) = await RecordingArtefacts(uow).for_meeting(meeting_id)
        details = await audited(uow, meeting_id, "recording.alert_sent", AuditEntryRow.detail)
    assert found.needs_staff
    assert sorted(r.partition(":")[0] for r in found.reasons) == ["no_reply", "no_reply"]
    assert len(details) == 2
    assert PARENT_CARER.display_name not in str(alert)


async def test_a_recording_kept_as_permitted_is_alerted_once_when_the_gate_closed_during_it(
    store: Store,
    clock: FakeClock,
    tenant_sandbox: RunningSandbox,
    mailbox: ConsentMailbox,
    people: People,
) -> None:
    """A recording notified as it ended is judged by what the bot knew then: permitted. The
    gate's closing while it ran (a stranger's join, handled behind a backlog) is noted only
    after. The check after the meeting judges it again with the facts as they stand: it is
    kept as not permitted, audited, counted and emailed to the organiser and the manager, once
    however often the check runs, two checks at once included."""
    meeting_id = await recorded_meeting(store, tenant_sandbox, consented=True, transcribed=False)
    async with store.reading() as uow:
        teams_meeting_id = (await uow.meetings.get(meeting_id)).teams_meeting_id
    assert teams_meeting_id is not None
    (made,) = tenant_sandbox.tenant.recordings.of_meeting(teams_meeting_id, "recording")
    checking = backstop(store, mailbox)
    notified = NotifiedArtefact(teams_meeting_id, ArtefactKind.RECORDING, made.id)
    assert await checking.notified(notified) == 1
    async with store.reading() as uow:
        (kept,) = await RecordingArtefacts(uow).for_meeting(meeting_id)
    assert kept.permitted
    assert kept.created_at is not None

    clock.now = kept.created_at + timedelta(minutes=4)
    async with store.reading() as uow:
        facts = await uow.meetings.facts(meeting_id, (Participant(None),))
    verdict = evaluate_recording(facts)
    assert await note_closed_for_good(store, meeting_id, "participant_joined", verdict)
    clock.now = datetime.now(UTC) + timedelta(minutes=10)
    with recording() as recorded:
        at_once = (checking.check_meeting(meeting_id, FoundBy.AFTER_MEETING) for _ in range(2))
        assert await asyncio.gather(*at_once) == [[], []]
        clock.now += timedelta(days=1)
        assert await checking.check_meeting(meeting_id, FoundBy.AFTER_MEETING) == []
        counted = recorded.value(BACKSTOP_ALERTS, {"iass.backstop.found_by": JUDGED_AGAIN})

    assert counted == 1
    assert await alerts(people, COORDINATOR.mail) == 1
    assert await alerts(people, SERVICE_MANAGER.mail) == 1
    async with store.reading() as uow:
        (kept,) = await RecordingArtefacts(uow).for_meeting(meeting_id)
        (detail,) = await audited(uow, meeting_id, FOUND_WITHOUT_CONSENT, AuditEntryRow.detail)
        sent = await audited(uow, meeting_id, "recording.alert_sent", AuditEntryRow.subject_id)
    assert kept.needs_staff
    assert kept.reasons == ("gate_closed_during",)
    assert json.loads(detail)["found_by"] == JUDGED_AGAIN
    assert sent == [kept.id, kept.id]
