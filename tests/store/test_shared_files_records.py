"""Files posted in a meeting chat keep only a drive item id and an encrypted name: disposal
clears the name, and key rotation moves it to the new key. Disposal also forgets who was
present in the meeting."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from consent_store.crypto import FieldCipher
from consent_store.keys import KeyRing, new_key
from consent_store.presence import Presence
from consent_store.rekey import reencrypt
from consent_store.retention import SCRUBBED_TABLES, dispose, plan_disposal
from consent_store.tables import PresenceRow, SharedFileRow
from consent_store.unit_of_work import Store
from tests.builders import MEETING_START, schedule
from tests.conftest import FakeClock

NAME = "Medical letter for Rhiannon.docx"


async def posted_file(store: Store, meeting_id: str) -> str:
    async with store.unit_of_work() as uow:
        row = SharedFileRow(
            id="f" * 32,
            meeting_id=meeting_id,
            drive_item_id="01ABCDEF",
            name_enc=uow.seal(NAME, "shared_files", "name", "f" * 32),
            document_id=None,
            outcome="revoked",
            posted_at=MEETING_START,
        )
        uow.session.add(row)
        await uow.commit()
    return row.id


async def test_disposal_forgets_the_name_of_a_posted_file(store: Store, clock: FakeClock) -> None:
    meeting, _ = await schedule(store)
    file_id = await posted_file(store, meeting)
    clock.now = MEETING_START + timedelta(days=800)
    async with store.unit_of_work() as uow:
        await dispose(uow, await plan_disposal(uow, timedelta(days=365)), "test")
        await uow.commit()
    async with store.reading() as uow:
        row = await uow.session.get(SharedFileRow, file_id)
    assert row is not None
    assert (row.name_enc, row.outcome, row.drive_item_id) == (None, "revoked", "01ABCDEF")
    assert "shared_files" in SCRUBBED_TABLES


async def test_disposal_forgets_who_was_present(store: Store, clock: FakeClock) -> None:
    meeting, _ = await schedule(store)
    async with store.unit_of_work() as uow:
        await uow.presence.joined(meeting, Presence("29:someone", None), MEETING_START)
        await uow.commit()
    clock.now = MEETING_START + timedelta(days=800)
    async with store.unit_of_work() as uow:
        await dispose(uow, await plan_disposal(uow, timedelta(days=365)), "test")
        await uow.commit()
    async with store.reading() as uow:
        rows = (await uow.session.scalars(select(PresenceRow))).all()
    assert rows == []
    assert "meeting_presence" in SCRUBBED_TABLES


async def test_key_rotation_moves_a_posted_files_name_to_the_new_key(
    store: Store, key_ring: KeyRing, database_url: str, clock: FakeClock
) -> None:
    meeting, _ = await schedule(store)
    file_id = await posted_file(store, meeting)
    rotated = replace(
        key_ring,
        encryption_keys={"k2": new_key().encode()[:32]},
        active_key_id="k2",
    )
    both = replace(rotated, encryption_keys={**key_ring.encryption_keys, **rotated.encryption_keys})
    rotating = Store.open(database_url, both, clock)
    try:
        assert (await reencrypt(rotating, "test"))["shared_files"] == 1
    finally:
        await rotating.close()
    after = Store.open(database_url, rotated, clock)
    try:
        async with after.reading() as uow:
            row = await uow.session.get(SharedFileRow, file_id)
            assert row is not None
            assert row.name_enc is not None
            assert FieldCipher.key_id_of(row.name_enc) == "k2"
            assert uow.decrypt(row.name_enc, "shared_files", "name", file_id) == NAME
    finally:
        await after.close()
