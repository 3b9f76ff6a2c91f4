"""The tamper-evident audit log: an append-only chain of entries, each MACed with the one before.

Entry `n` carries HMAC-SHA256(audit key, MAC of entry n-1 + canonical content of entry n), and
sequence numbers run from 1 without gaps, so an edited, inserted or deleted entry breaks the
chain at a point `verify_chain` can name. The key lives in configuration, not the database.
Entries hold pseudonymous ids and enumerations only, so disposal never has to rewrite them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from consent_store.tables import AuditEntryRow

GENESIS_MAC = "0" * 64
_VERIFY_BATCH = 1000
_POSTGRES_AUDIT_LOCK = 0x1A55A0D1

DetailValue = str | int | bool | None | list[str]


@dataclass(frozen=True)
class AuditEvent:
    """Something that happened, described without personal data.

    `meeting_id` and `subject_id` are the store's pseudonymous ids; `actor` is a staff member's
    directory object id or "system"; `detail` holds enumerations, counts and ids.
    """

    action: str
    actor: str = "system"
    meeting_id: str | None = None
    subject_id: str | None = None
    detail: Mapping[str, DetailValue] = field(default_factory=dict)


def canonical_detail(detail: Mapping[str, DetailValue]) -> str:
    return json.dumps(dict(detail), sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def entry_mac(key: bytes, previous_mac: str, row: AuditEntryRow) -> str:
    """The MAC of `row`, chained to `previous_mac`."""
    content = json.dumps(
        [
            row.seq,
            row.at.isoformat(),
            row.action,
            row.meeting_id,
            row.subject_id,
            row.actor,
            row.detail,
        ],
        separators=(",", ":"),
        ensure_ascii=True,
    )
    message = previous_mac.encode() + b"\n" + content.encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


async def append_all(
    session: AsyncSession, key: bytes, events: Sequence[tuple[AuditEvent, datetime]]
) -> None:
    """Append `(event, when)` pairs in order, inside the session's transaction.

    Appenders are serialised: PostgreSQL by a transaction-scoped advisory lock, SQLite by its
    write lock (the store begins SQLite transactions IMMEDIATE).
    """
    if not events:
        return
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _POSTGRES_AUDIT_LOCK})
    last = (
        await session.execute(
            select(AuditEntryRow.seq, AuditEntryRow.mac).order_by(AuditEntryRow.seq.desc()).limit(1)
        )
    ).first()
    seq, previous_mac = (last[0], last[1]) if last else (0, GENESIS_MAC)
    for event, at in events:
        seq += 1
        row = AuditEntryRow(
            seq=seq,
            at=at,
            action=event.action,
            meeting_id=event.meeting_id,
            subject_id=event.subject_id,
            actor=event.actor,
            detail=canonical_detail(event.detail),
            mac="",
        )
        row.mac = previous_mac = entry_mac(key, previous_mac, row)
        session.add(row)
    await session.flush()


@dataclass(frozen=True)
class ChainReport:
    """The outcome of walking the chain: how many entries held, and the first broken one."""

    entries_checked: int
    first_broken_seq: int | None = None
    problem: str | None = None

    @property
    def intact(self) -> bool:
        return self.first_broken_seq is None


async def _entries(session: AsyncSession) -> AsyncIterator[AuditEntryRow]:
    after = 0
    while True:
        batch = (
            await session.scalars(
                select(AuditEntryRow)
                .where(AuditEntryRow.seq > after)
                .order_by(AuditEntryRow.seq)
                .limit(_VERIFY_BATCH)
            )
        ).all()
        if not batch:
            return
        for row in batch:
            yield row
        after = batch[-1].seq
        session.expunge_all()


async def verify_chain(session: AsyncSession, key: bytes) -> ChainReport:
    """Walk the whole chain and report the first entry that does not verify."""
    previous_mac, expected_seq, checked = GENESIS_MAC, 1, 0
    async for row in _entries(session):
        if row.seq != expected_seq:
            return ChainReport(checked, expected_seq, f"entry {expected_seq} is missing")
        if not hmac.compare_digest(entry_mac(key, previous_mac, row), row.mac):
            return ChainReport(checked, row.seq, f"entry {row.seq} does not match its MAC")
        previous_mac, expected_seq, checked = row.mac, expected_seq + 1, checked + 1
    return ChainReport(checked)
