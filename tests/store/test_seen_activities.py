"""The activities seen in the last day, on both engines: the first copy of a key wins; copies
after it read its answer, or that it is in hand; a copy a day later, or after the first was
lost with its instance, wins again; forgotten keys are claimed afresh; a purge removes what is
older than a day. Two instances claiming together: one wins."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from consent_store.keys import KeyRing
from consent_store.seen_activities import SeenActivities, Sighting
from consent_store.tables import SeenActivityRow
from consent_store.unit_of_work import Store
from tests.conftest import FakeClock

DAY = timedelta(days=1)
ABANDONED = timedelta(minutes=1)


async def claim(store: Store, *keys: str) -> dict[str, Sighting]:
    async with store.unit_of_work() as uow:
        now = uow.now()
        sightings = await SeenActivities(uow.session).claim(
            list(keys), now, forgotten_before=now - DAY, abandoned_before=now - ABANDONED
        )
        await uow.commit()
    return sightings


async def test_the_first_copy_wins_and_later_ones_read_its_answer(store: Store) -> None:
    assert await claim(store, "a", "b") == {"a": Sighting(True), "b": Sighting(True)}
    assert await claim(store, "a") == {"a": Sighting(False, None)}

    async with store.unit_of_work() as uow:
        await SeenActivities(uow.session).answered({"a": 202, "b": 501})
        await uow.commit()

    assert await claim(store, "a", "b", "c") == {
        "a": Sighting(False, 202),
        "b": Sighting(False, 501),
        "c": Sighting(True),
    }


async def test_a_day_later_or_after_its_instance_stopped_a_copy_wins_again(
    store: Store, clock: FakeClock
) -> None:
    await claim(store, "answered", "in_hand")
    async with store.unit_of_work() as uow:
        await SeenActivities(uow.session).answered({"answered": 202})
        await uow.commit()

    clock.now += ABANDONED + timedelta(seconds=1)
    assert await claim(store, "answered", "in_hand") == {
        "answered": Sighting(False, 202),
        "in_hand": Sighting(True),
    }
    clock.now += DAY
    assert await claim(store, "answered") == {"answered": Sighting(True)}


async def test_a_forgotten_key_is_claimed_afresh(store: Store) -> None:
    await claim(store, "failed", "kept")
    async with store.unit_of_work() as uow:
        await SeenActivities(uow.session).forget({"failed"})
        await uow.commit()
    assert await claim(store, "failed", "kept") == {
        "failed": Sighting(True),
        "kept": Sighting(False, None),
    }


async def test_a_purge_removes_what_is_older_than_a_day(store: Store, clock: FakeClock) -> None:
    await claim(store, "yesterday")
    clock.now += DAY + timedelta(seconds=1)
    await claim(store, "today")
    async with store.unit_of_work() as uow:
        await SeenActivities(uow.session).purge(uow.now() - DAY)
        await uow.commit()
    async with store.reading() as uow:
        keys = list(await uow.session.scalars(select(SeenActivityRow.key)))
    assert keys == ["today"]


async def test_two_instances_claiming_one_key_together_give_it_to_one(
    database_url: str, key_ring: KeyRing, store: Store, clock: FakeClock
) -> None:
    other = Store.open(database_url, key_ring, clock)
    try:
        sightings = await asyncio.gather(
            *(claim(instance, "race") for instance in (store, other) * 3)
        )
    finally:
        await other.close()
    assert sorted(s["race"].first for s in sightings) == [False] * 5 + [True]
