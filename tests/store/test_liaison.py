"""The organisations named for liaison: saving the list keeps earlier names (and so the answers
about them), takes off those left out, and disposal removes the names."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from consent_store.liaison import LiaisonRecords
from consent_store.retention import dispose, plan_disposal
from consent_store.tables import LiaisonOrganisationRow
from consent_store.unit_of_work import Store
from tests.builders import schedule
from tests.conftest import FakeClock


async def test_saving_the_list_keeps_names_already_on_it(store: Store, clock: FakeClock) -> None:
    meeting_id, _ = await schedule(store)
    async with store.unit_of_work() as uow:
        first = await LiaisonRecords(uow).name(meeting_id, ["SEND team", "School"])
        await uow.commit()
    clock.now += timedelta(hours=1)
    async with store.unit_of_work() as uow:
        second = await LiaisonRecords(uow).name(meeting_id, ["School", "Health visitor"])
        await uow.commit()
    assert len(first.added) == 2
    assert len(second.added) == 1
    assert second.removed == first.added[:1]
    async with store.reading() as uow:
        named = await LiaisonRecords(uow).organisations(meeting_id)
        facts = await LiaisonRecords(uow).facts(meeting_id)
    assert [o.name for o in named] == ["School", "Health visitor"]
    assert named[0].id == first.added[1], "the school keeps its id and when it was named"
    assert named[0].named_at < named[1].named_at
    assert {o.id for o in facts.organisations} == {o.id for o in named}


async def test_disposal_removes_the_names(store: Store, clock: FakeClock) -> None:
    meeting_id, _ = await schedule(store)
    async with store.unit_of_work() as uow:
        await LiaisonRecords(uow).name(meeting_id, ["Fellside Primary, Mrs Patel (SENCO)"])
        await uow.commit()
    clock.now += timedelta(days=400)
    async with store.unit_of_work() as uow:
        await dispose(uow, await plan_disposal(uow, timedelta(days=365)), actor="test")
        await uow.commit()
    async with store.reading() as uow:
        names = list(await uow.session.scalars(select(LiaisonOrganisationRow.name_enc)))
        kept = await LiaisonRecords(uow).organisations(meeting_id)
    assert names == [None]
    assert [o.name for o in kept] == [""]
