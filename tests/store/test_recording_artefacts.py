"""The recording backstop's rows: each recording or transcript kept once, staff's note sealed
and written once, disposal clearing the note and keeping ids and times."""

from __future__ import annotations

from datetime import timedelta

from consent_store.recording_artefacts import KeptSubscription, NewArtefact, RecordingArtefacts
from consent_store.retention import dispose, plan_disposal
from consent_store.subject_access import subject_access_report
from consent_store.unit_of_work import Store
from tests.builders import MEETING_START, PARENT, SENCO, a_meeting, schedule
from tests.conftest import FakeClock
from tests.store.test_meetings import raw_dump

NOTE = "Deleted from Dana Whitlock's OneDrive after the safeguarding lead agreed"


def found(meeting_id: str, graph_id: str = "rec-1", *, permitted: bool = False) -> NewArtefact:
    return NewArtefact(
        meeting_id=meeting_id,
        kind="recording",
        graph_id=graph_id,
        created_at=MEETING_START + timedelta(minutes=5),
        ended_at=MEETING_START + timedelta(minutes=25),
        found_by="notification",
        permitted=permitted,
        reasons=() if permitted else ("no_reply", "gate_closed_during"),
    )


async def test_a_recording_is_kept_once_and_found_by_its_teams_meeting(store: Store) -> None:
    meeting_id, _ = await schedule(store)
    async with store.unit_of_work() as uow:
        (await uow.meetings.get(meeting_id)).teams_meeting_id = "MSo5NzZm"
        artefacts = RecordingArtefacts(uow)
        first = await artefacts.add(found(meeting_id))
        again = await artefacts.add(found(meeting_id))
        await uow.commit()
    assert first is not None
    assert again is None
    async with store.reading() as uow:
        artefacts = RecordingArtefacts(uow)
        meeting = await artefacts.meeting_of_teams_meeting("MSo5NzZm")
        kept = await artefacts.for_meeting(meeting_id)
        assert await artefacts.known(meeting_id, "recording", "rec-1")
        assert not await artefacts.known(meeting_id, "transcript", "rec-1")
    assert meeting is not None
    assert meeting.id == meeting_id
    assert [(a.graph_id, a.permitted, a.reasons, a.needs_staff) for a in kept] == [
        ("rec-1", False, ("no_reply", "gate_closed_during"), True)
    ]


async def test_staff_record_what_was_done_once_and_the_note_is_sealed(store: Store) -> None:
    meeting_id, _ = await schedule(store)
    async with store.unit_of_work() as uow:
        artefact_id = await RecordingArtefacts(uow).add(found(meeting_id))
        allowed_id = await RecordingArtefacts(uow).add(found(meeting_id, "rec-2", permitted=True))
        await uow.commit()
    assert artefact_id is not None
    assert allowed_id is not None
    async with store.unit_of_work() as uow:
        artefacts = RecordingArtefacts(uow)
        assert await artefacts.resolve(meeting_id, artefact_id, "staff-oid", NOTE)
        assert not await artefacts.resolve(meeting_id, artefact_id, "staff-oid", "again")
        assert not await artefacts.resolve(meeting_id, allowed_id, "staff-oid", "permitted one")
        await uow.commit()
    assert NOTE.encode() not in await raw_dump(store)
    async with store.reading() as uow:
        kept = {a.graph_id: a for a in await RecordingArtefacts(uow).for_meeting(meeting_id)}
    resolved, allowed = kept["rec-1"], kept["rec-2"]
    assert (resolved.resolution, resolved.resolved_by, resolved.needs_staff) == (
        NOTE,
        "staff-oid",
        False,
    )
    assert (allowed.permitted, allowed.needs_staff, allowed.resolution) == (True, False, None)


async def test_disposal_clears_the_note_and_keeps_ids_and_times(
    store: Store, clock: FakeClock
) -> None:
    meeting_id, _ = await schedule(store)
    async with store.unit_of_work() as uow:
        artefact_id = await RecordingArtefacts(uow).add(found(meeting_id))
        assert artefact_id is not None
        await RecordingArtefacts(uow).resolve(meeting_id, artefact_id, "staff-oid", NOTE)
        await uow.commit()
    clock.now = MEETING_START + timedelta(days=800)
    async with store.unit_of_work() as uow:
        await dispose(uow, await plan_disposal(uow, timedelta(days=365)), "test")
        await uow.commit()
    async with store.reading() as uow:
        (kept,) = await RecordingArtefacts(uow).for_meeting(meeting_id)
    assert (kept.graph_id, kept.resolution, kept.resolved_at is not None) == ("rec-1", None, True)


async def test_a_subscription_is_kept_by_its_resource(store: Store) -> None:
    resource = "communications/onlineMeetings/getAllRecordings"
    first = KeptSubscription("sub-1", "state-1", MEETING_START)
    second = KeptSubscription("sub-2", "state-2", MEETING_START + timedelta(hours=1))
    async with store.unit_of_work() as uow:
        await RecordingArtefacts(uow).keep_subscription(resource, first)
        await uow.commit()
    async with store.unit_of_work() as uow:
        await RecordingArtefacts(uow).keep_subscription(resource, second)
        await uow.commit()
    async with store.reading() as uow:
        artefacts = RecordingArtefacts(uow)
        assert await artefacts.subscription(resource) == second
        assert await artefacts.subscription("other") is None
        assert await artefacts.client_states() == {"sub-2": "state-2"}


async def test_subject_access_lists_the_recordings_of_the_persons_meetings(store: Store) -> None:
    meeting_id, _ = await schedule(store)
    other_id, _ = await schedule(store, a_meeting(attendees=(SENCO,)))
    async with store.unit_of_work() as uow:
        await RecordingArtefacts(uow).add(found(meeting_id, permitted=True))
        await RecordingArtefacts(uow).add(found(other_id, "rec-of-another-meeting"))
        await uow.commit()
    async with store.reading() as uow:
        report = await subject_access_report(uow, PARENT.email)
    (held,) = report.recordings
    assert (held.graph_id, held.kind, held.with_everyones_consent) == ("rec-1", "recording", True)
    assert held.made_at == MEETING_START + timedelta(minutes=5)
    assert "rec-1" in report.to_html()
