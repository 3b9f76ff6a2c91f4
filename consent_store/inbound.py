"""The inbound email repository: one row per email taken from the consent mailbox, and the
mailbox cursor (delta link and subscription) so reading resumes where it stopped.

No email content is kept here: only what became of the email and a hash of its bytes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from consent_store.repository import new_id
from consent_store.tables import InboundEmailRow, MailboxCursorRow
from domain.terms import AuthVerdict


def email_key(
    message_id: str | None,
    sender_index: str | None,
    verdict: AuthVerdict,
    mailbox_item: str,
) -> str:
    """The key an inbound email is recorded once under (SHA-256, hex).

    A Message-ID is chosen by whoever sends the email, so alone it names nothing: an email is
    the same as one already recorded only if it has the same Message-ID, the same sender (by
    blind index) and the same authentication verdict. Only an authenticated sender's domain
    can write that combination, so a copy delivered twice is recorded once. Any other email
    is named by its `mailbox_item` as well (the Graph message id, or a hash of its bytes), so
    a forged one can never take the key of a real one: it is only ever the same email read
    again (by another instance, or a delta read from the start).
    """
    parts = [message_id or "", sender_index or "", verdict.value]
    if not (message_id and sender_index and verdict is AuthVerdict.PASS):
        parts.append(mailbox_item)
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


@dataclass(frozen=True)
class InboundRecord:
    dedupe_key: str
    mailbox_message_id: str | None
    received_at: datetime
    outcome: str
    email_sha256: str
    size_bytes: int
    reason: str | None = None
    meeting_id: str | None = None
    attendee_id: str | None = None


class InboundEmails:
    """Inbound emails by their dedupe key, and the consent mailbox's cursor."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, record: InboundRecord, now: datetime) -> str:
        """Record an email; a second row with the same key fails when the work is flushed or
        committed (IntegrityError), which is how an email is recorded only once."""
        row_id = new_id()
        self._session.add(
            InboundEmailRow(
                id=row_id,
                dedupe_key=record.dedupe_key,
                mailbox_message_id=record.mailbox_message_id,
                received_at=record.received_at,
                processed_at=now,
                outcome=record.outcome,
                reason=record.reason,
                meeting_id=record.meeting_id,
                attendee_id=record.attendee_id,
                email_sha256=record.email_sha256,
                size_bytes=record.size_bytes,
            )
        )
        return row_id

    async def mark_receipts_sent(self, inbound_ids: list[str], at: datetime) -> None:
        await self._session.execute(
            update(InboundEmailRow)
            .where(InboundEmailRow.id.in_(inbound_ids))
            .values(receipt_sent_at=at)
        )

    async def cursor(self, mailbox: str) -> MailboxCursorRow | None:
        return await self._session.get(MailboxCursorRow, mailbox.lower())

    async def save_cursor(
        self,
        mailbox: str,
        now: datetime,
        *,
        delta_link: str | None = None,
        subscription: tuple[str, datetime, str] | None = None,
    ) -> None:
        """Remember a new delta link and/or (subscription id, expiry, client state).

        An upsert, so bot instances saving at the same moment never collide.
        """
        values: dict[str, object] = {"updated_at": now}
        if delta_link is not None:
            values["delta_link"] = delta_link
        if subscription is not None:
            keys = ("subscription_id", "subscription_expires_at", "client_state")
            values.update(zip(keys, subscription, strict=True))
        dialect = self._session.get_bind().dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        statement = insert(MailboxCursorRow).values(mailbox=mailbox.lower(), **values)
        await self._session.execute(
            statement.on_conflict_do_update(index_elements=["mailbox"], set_=values)
        )
