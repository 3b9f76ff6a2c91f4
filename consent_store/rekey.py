"""Key rotation: re-encrypt every personal field still under an older key with the active one.

Run after adding a new key to IASS_ENCRYPTION_KEYS and making it IASS_ENCRYPTION_KEY_ID; once
it reports nothing left under old keys, the old key can be removed from the settings. Work is
committed in batches, so an interrupted run loses nothing and can simply be run again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Mapper

from consent_store.audit import AuditEvent
from consent_store.crypto import FieldCipher
from consent_store.tables import Base
from consent_store.unit_of_work import Store

_BATCH = 500

Progress = Callable[[str, int], None]


def _encrypted_tables() -> list[tuple[Mapper[Base], list[str]]]:
    """Each mapped table with personal fields, and the names of those fields."""
    tables = []
    for mapper in Base.registry.mappers:
        columns = [c.key for c in mapper.columns if c.key.endswith("_enc")]
        if columns:
            tables.append((mapper, columns))
    return tables


async def reencrypt(store: Store, actor: str, progress: Progress | None = None) -> Counter[str]:
    """Re-encrypt under the active key; returns how many values were rewritten per table."""
    cipher, active = store.cipher, store.cipher.active_key_id
    rewritten: Counter[str] = Counter()
    for mapper, columns in _encrypted_tables():
        table, key = mapper.class_.__tablename__, mapper.primary_key[0]
        after = ""
        while True:
            async with store.unit_of_work() as uow:
                rows = (
                    await uow.session.scalars(
                        select(mapper).where(key > after).order_by(key).limit(_BATCH)
                    )
                ).all()
                if not rows:
                    break
                for row in rows:
                    row_id = mapper.primary_key_from_instance(row)[0]
                    for column in columns:
                        blob: bytes | None = getattr(row, column)
                        if blob is None or FieldCipher.key_id_of(blob) == active:
                            continue
                        context = f"{table}.{column.removesuffix('_enc')}:{row_id}"
                        plain = cipher.decrypt(blob, context=context)
                        setattr(row, column, cipher.encrypt(plain, context=context))
                        rewritten[table] += 1
                await uow.commit()
                after = mapper.primary_key_from_instance(rows[-1])[0]
            if progress:
                progress(table, rewritten[table])
    async with store.unit_of_work() as uow:
        await uow.audit(
            AuditEvent(
                "store.reencrypted",
                actor=actor,
                detail={"key_id": active, "values": sum(rewritten.values())},
            )
        )
        await uow.commit()
    return rewritten
