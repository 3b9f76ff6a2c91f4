"""Who is in a meeting, on both engines: joins, leaves and rosters reach every gate evaluation,
no Teams id is stored in clear, and a recording is reported once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from bot.policy.recording_gate import evaluate_recording
from consent_store.audit import AuditEvent
from consent_store.presence import RECORDING_REPORTED, Presence
from consent_store.tables import PresenceRow
from consent_store.unit_of_work import Store
from domain.terms import Participant
from tests.builders import schedule
from tests.conftest import FakeClock

STRANGER = Presence("id:29:1stranger", None)
ORGANISER = Presence("oid:6f1c2a4e-9d3b-4c8e-8a71-2b5e0f9c3d10", None, is_staff=True)


async def present(store: Store, meeting_id: str) -> set[Participant]:
    async with store.reading() as uow:
        return set((await uow.meetings.facts(meeting_id)).present)


async def test_joins_and_leaves_are_who_the_gates_see(store: Store, clock: FakeClock) -> None:
    meeting_id, (parent_id, *_) = await schedule(store)
    parent = Presence("id:29:1parent", parent_id)
    async with store.unit_of_work() as uow:
        await uow.presence.joined(meeting_id, ORGANISER, uow.now())
        await uow.presence.joined(meeting_id, parent, uow.now())
        clock.now += timedelta(minutes=1)
        await uow.presence.joined(meeting_id, STRANGER, uow.now())
        await uow.commit()
    assert await present(store, meeting_id) == {Participant(parent_id), Participant(None)}

    async with store.unit_of_work() as uow:
        await uow.presence.left(meeting_id, STRANGER.key, uow.now())
        await uow.commit()
    assert await present(store, meeting_id) == {Participant(parent_id)}

    clock.now += timedelta(minutes=1)
    async with store.unit_of_work() as uow:
        await uow.presence.joined(meeting_id, STRANGER, uow.now())
        await uow.commit()
    assert await present(store, meeting_id) == {Participant(parent_id), Participant(None)}
    async with store.reading() as uow:
        rows = (await uow.session.scalars(select(PresenceRow))).all()
    assert len(rows) == 3
    assert all("29:" not in row.participant_index for row in rows)


async def test_a_stranger_present_closes_the_recording_gate(store: Store) -> None:
    meeting_id, _ = await schedule(store)
    async with store.unit_of_work() as uow:
        await uow.presence.joined(meeting_id, STRANGER, uow.now())
        await uow.commit()
    async with store.reading() as uow:
        verdict = evaluate_recording(await uow.meetings.facts(meeting_id))
        given = await uow.meetings.facts(meeting_id, present=())
    assert "unknown_participant_present" in {b.code.value for b in verdict.blockers}
    assert given.present == ()


async def test_a_roster_is_exactly_who_is_present(store: Store, clock: FakeClock) -> None:
    meeting_id, (parent_id, senco_id, _) = await schedule(store)
    parent = Presence("id:call-parent", parent_id)
    senco = Presence("id:call-senco", senco_id)
    async with store.unit_of_work() as uow:
        await uow.presence.joined(meeting_id, STRANGER, uow.now())
        await uow.commit()

    roster = [ORGANISER, parent, senco]
    async with store.reading() as uow:
        assert not await uow.presence.is_exactly(meeting_id, roster)
    async with store.unit_of_work() as uow:
        arrived = await uow.presence.set_exactly(meeting_id, roster, uow.now())
        await uow.commit()
    assert arrived == roster
    assert await present(store, meeting_id) == {Participant(parent_id), Participant(senco_id)}

    clock.now += timedelta(minutes=1)
    async with store.unit_of_work() as uow:
        assert await uow.presence.is_exactly(meeting_id, roster)
        assert await uow.presence.set_exactly(meeting_id, [ORGANISER, senco], uow.now()) == []
        await uow.commit()
    assert await present(store, meeting_id) == {Participant(senco_id)}


async def test_a_recording_is_reported_once(store: Store) -> None:
    meeting_id, _ = await schedule(store)

    async def report_unless_reported(keys: list[str]) -> bool:
        async with store.unit_of_work() as uow:
            await uow.presence.hold_meeting(meeting_id)
            recording = uow.presence.recording_key(keys)
            if await uow.presence.recording_reported(meeting_id, recording):
                return False
            await uow.audit(
                AuditEvent(
                    RECORDING_REPORTED, meeting_id=meeting_id, detail={"recording_key": recording}
                )
            )
            await uow.commit()
        return True

    first = await asyncio.gather(
        report_unless_reported(["id:a", "id:b"]), report_unless_reported(["id:b", "id:a"])
    )
    assert sorted(first) == [False, True]
    assert await report_unless_reported(["id:a"])
