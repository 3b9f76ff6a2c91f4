"""The audit log on both engines: an intact chain verifies, the database refuses rewrites, and
an entry edited behind the store's back is named."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from consent_store.audit import AuditEvent, verify_chain
from consent_store.unit_of_work import Store


async def write_entries(store: Store, count: int) -> None:
    for number in range(count):
        async with store.unit_of_work() as uow:
            await uow.audit(
                AuditEvent("test.event", meeting_id=f"m{number}", detail={"number": number})
            )
            await uow.commit()


async def verify(store: Store) -> tuple[int, int | None, str | None]:
    async with store.unit_of_work() as uow:
        report = await verify_chain(uow.session, store.audit_key)
    return report.entries_checked, report.first_broken_seq, report.problem


async def test_an_untouched_chain_verifies(store: Store) -> None:
    await write_entries(store, 5)
    assert await verify(store) == (5, None, None)


async def test_work_rolled_back_leaves_no_audit_entry(store: Store) -> None:
    async with store.unit_of_work() as uow:
        await uow.audit(AuditEvent("test.abandoned"))
    assert await verify(store) == (0, None, None)


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_log SET action = 'forged' WHERE seq = 2", "DELETE FROM audit_log WHERE seq = 2"],
)
async def test_the_database_refuses_to_rewrite_the_log(store: Store, statement: str) -> None:
    await write_entries(store, 3)
    with pytest.raises(DBAPIError, match="append-only"):
        async with store.engine.begin() as connection:
            await connection.execute(text(statement))
    assert await verify(store) == (3, None, None)


async def test_emptying_the_log_is_refused(store: Store) -> None:
    await write_entries(store, 2)
    empty = (
        "TRUNCATE audit_log"
        if store.engine.dialect.name == "postgresql"
        else "DELETE FROM audit_log"
    )
    with pytest.raises(DBAPIError, match="append-only"):
        async with store.engine.begin() as connection:
            await connection.execute(text(empty))
    assert await verify(store) == (2, None, None)


async def behind_the_stores_back(store: Store, statement: str) -> None:
    """Run `statement` with the append-only guard lifted, as someone with database access could."""
    async with store.engine.begin() as connection:
        if store.engine.dialect.name == "postgresql":
            await connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
            await connection.exec_driver_sql(statement)
            await connection.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))
        else:
            await connection.execute(text("DROP TRIGGER audit_log_no_update"))
            await connection.execute(text("DROP TRIGGER audit_log_no_delete"))
            await connection.exec_driver_sql(statement)


async def test_an_edited_entry_is_named(store: Store) -> None:
    await write_entries(store, 5)
    await behind_the_stores_back(
        store, "UPDATE audit_log SET detail = '{\"number\":99}' WHERE seq = 3"
    )
    assert await verify(store) == (2, 3, "entry 3 does not match its MAC")


async def test_a_deleted_entry_is_named(store: Store) -> None:
    await write_entries(store, 5)
    await behind_the_stores_back(store, "DELETE FROM audit_log WHERE seq = 4")
    assert await verify(store) == (3, 4, "entry 4 is missing")


async def test_a_chain_made_with_another_key_does_not_verify(store: Store) -> None:
    await write_entries(store, 2)
    async with store.unit_of_work() as uow:
        report = await verify_chain(uow.session, b"x" * 32)
    assert report.first_broken_seq == 1


async def test_concurrent_writers_keep_one_unbroken_chain(store: Store) -> None:
    async def one_writer(name: str) -> None:
        for number in range(10):
            async with store.unit_of_work() as uow:
                await uow.audit(AuditEvent("test.concurrent", actor=name, detail={"n": number}))
                await uow.commit()

    await asyncio.gather(*(one_writer(f"writer-{w}") for w in range(4)))
    assert await verify(store) == (40, None, None)
