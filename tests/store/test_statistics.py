"""Statistics counted from the store on both engines, protected before they are shown."""

from __future__ import annotations

from datetime import timedelta

from consent_store.audit import AuditEvent
from consent_store.disclosure import Shown, Suppressed
from consent_store.recording_artefacts import NewArtefact, RecordingArtefacts
from consent_store.statistics import MEASURES, monthly_counts, monthly_statistics
from consent_store.unit_of_work import Store
from domain.terms import Decision, Topic
from tests.builders import MEETING_START, PARENT, a_meeting, reply, schedule
from tests.conftest import FakeClock


async def test_counts_by_month_and_outcome(store: Store) -> None:
    november = [await schedule(store) for _ in range(12)]
    december, (december_parent, _, _) = await schedule(
        store, a_meeting(starts_at=MEETING_START + timedelta(days=31))
    )
    async with store.unit_of_work() as uow:
        for meeting_id, _ in november[:11]:
            await uow.meetings.set_recording_outcome(meeting_id, permitted=True)
        await uow.meetings.set_recording_outcome(november[11][0], permitted=False)
        (await uow.meetings.get(november[0][0])).status = "cancelled"
        await uow.audit(AuditEvent("document.share_refused", meeting_id=december))
        await uow.commit()
    for meeting_id, (parent, _, _) in november[1:]:
        await reply(store, meeting_id, parent, PARENT.email)
    await reply(store, december, december_parent, PARENT.email, Decision.WITHDRAWN)

    async with store.unit_of_work() as uow:
        counts = await monthly_counts(uow)
        table = await monthly_statistics(uow)

    assert counts["2026-11", "meetings"] == 11
    assert counts["2026-11", "recordings_permitted"] == 10
    assert counts["2026-11", "recordings_refused"] == 1
    assert counts["2026-11", "replies_given"] == 11
    assert counts["2026-12", "meetings"] == 1
    assert counts["2026-11", "replies_withdrawn"] == 1
    assert counts["2026-11", "documents_refused"] == 1

    assert table.cell("2026-11", "replies_given") == Shown(10)
    assert table.cell("2026-12", "replies_given") == Shown(0)
    assert table.cell("Total", "replies_given") == Shown(10)
    assert isinstance(table.cell("2026-11", "recordings_refused"), Suppressed)
    assert table.cell("Total", "meetings") == Shown(10)
    # December's single meeting is hidden, and so November's eleven must be too, or the
    # total would give December away.
    assert isinstance(table.cell("2026-12", "meetings"), Suppressed)
    assert isinstance(table.cell("2026-11", "meetings"), Suppressed)


async def test_liaison_legal_requests_and_backstop_alerts_are_counted(
    store: Store, clock: FakeClock
) -> None:
    meeting, (parent, _, _) = await schedule(store)
    for decision in (Decision.GIVEN, Decision.REFUSED, Decision.WITHDRAWN, Decision.GIVEN):
        await reply(store, meeting, parent, PARENT.email, decision, Topic.LIAISON)
    async with store.unit_of_work() as uow:
        for action in (
            "legal_request.logged",
            "legal_request.logged",
            "legal_request.refused_by_manager",
            "legal_request.permission_asked",
        ):
            await uow.audit(AuditEvent(action, subject_id=parent))
        artefacts = RecordingArtefacts(uow)
        for graph_id, permitted in (("rec-1", False), ("rec-2", True), ("tr-1", False)):
            await artefacts.add(
                NewArtefact(meeting, "recording", graph_id, None, None, "check", permitted, ())
            )
        await uow.commit()
    clock.now += timedelta(days=31)
    async with store.unit_of_work() as uow:
        await RecordingArtefacts(uow).add(
            NewArtefact(meeting, "transcript", "tr-2", None, None, "check", False, ())
        )
        await uow.commit()

    async with store.unit_of_work() as uow:
        counts = await monthly_counts(uow)
        table = await monthly_statistics(uow)

    assert counts["2026-11", "liaison_given"] == 2
    assert counts["2026-11", "liaison_refused"] == 1
    assert counts["2026-11", "liaison_withdrawn"] == 1
    assert counts["2026-11", "replies_given"] == 2, "liaison answers are replies too"
    assert counts["2026-11", "legal_requests_logged"] == 2
    assert counts["2026-11", "legal_requests_refused"] == 1
    assert counts["2026-11", "legal_requests_permission_asked"] == 1
    assert counts["2026-11", "backstop_alerts"] == 2
    assert counts["2026-12", "backstop_alerts"] == 1
    assert table.measures == MEASURES
    assert isinstance(table.cell("2026-11", "backstop_alerts"), Suppressed)
    assert isinstance(table.cell("Total", "backstop_alerts"), Suppressed)
