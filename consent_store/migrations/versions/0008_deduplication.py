"""Deduplication an attacker cannot steer: the activities Teams sent in the last day, and each
inbound email keyed by its Message-ID together with its sender and authentication verdict.

An email recorded before this revision was keyed by its Message-ID alone (or `sha256:` and a
hash of its bytes). Its new key (`consent_store.inbound.email_key`) is worked out from what the
store kept about it: the sender's blind index, verdict and Message-ID of the decisions it gave
(by the hash of its bytes) or of the review item it became (by Message-ID and received time),
and its mailbox item. An unreadable email has no sender, so its key needs only the item. An
email that left none of these (an automatic reply, nothing asked) keeps its old key behind a
`legacy:` prefix, which no new key can equal: read again it is recorded again, and it decided
nothing the first time either. Downgrading gives each email its Message-ID back where it was
kept, and otherwise `sha256:` with the hash of its bytes (and its row id, should another
email already hold that).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa
from alembic import op

from consent_store.inbound import email_key
from consent_store.tables import UtcDateTime
from domain.terms import AuthVerdict

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

LEGACY = "legacy:"
BYTES = "sha256:"

_inbound = sa.table(
    "inbound_emails",
    sa.column("id", sa.String()),
    sa.column("dedupe_key", sa.String()),
    sa.column("mailbox_message_id", sa.String()),
    sa.column("received_at", UtcDateTime()),
    sa.column("outcome", sa.String()),
    sa.column("email_sha256", sa.String()),
)
_decisions = sa.table(
    "consent_decisions",
    sa.column("email_sha256", sa.String()),
    sa.column("message_id", sa.String()),
    sa.column("sender_index", sa.String()),
    sa.column("auth_verdict", sa.String()),
)
_reviews = sa.table(
    "review_items",
    sa.column("message_id", sa.String()),
    sa.column("received_at", UtcDateTime()),
    sa.column("sender_index", sa.String()),
    sa.column("auth_verdict", sa.String()),
)


class _Evidence(NamedTuple):
    """What the store kept of an email's sender: its Message-ID, blind index and verdict."""

    message_id: str | None
    sender_index: str | None
    verdict: str


class _Email(NamedTuple):
    id: str
    key: str
    outcome: str
    email_sha256: str
    item: str
    evidence: _Evidence | None


def _emails(connection: sa.Connection) -> Iterator[_Email]:
    by_bytes = {
        row.email_sha256: _Evidence(row.message_id, row.sender_index, row.auth_verdict)
        for row in connection.execute(
            sa.select(_decisions).where(_decisions.c.email_sha256.is_not(None))
        )
    }
    by_message: dict[tuple[str, datetime], _Evidence] = {
        (row.message_id, row.received_at): _Evidence(
            row.message_id, row.sender_index, row.auth_verdict
        )
        for row in connection.execute(sa.select(_reviews).where(_reviews.c.message_id.is_not(None)))
    }
    for row in connection.execute(sa.select(_inbound)):
        evidence = by_bytes.get(row.email_sha256) or by_message.get(
            (row.dedupe_key, row.received_at)
        )
        item = row.mailbox_message_id or f"{BYTES}{row.email_sha256}"
        yield _Email(row.id, row.dedupe_key, row.outcome, row.email_sha256, item, evidence)


def _new_key(email: _Email) -> str:
    if email.evidence is not None:
        evidence = email.evidence
        return email_key(
            evidence.message_id, evidence.sender_index, AuthVerdict(evidence.verdict), email.item
        )
    if email.outcome == "unreadable":
        return email_key(None, None, AuthVerdict.NONE, email.item)
    return LEGACY + email.key


def _rekey(connection: sa.Connection, keys: dict[str, str]) -> None:
    """Give each row (by id) its key, in two passes so no two rows ever hold one key."""
    if not keys:
        return
    update = (
        sa.update(_inbound)
        .where(_inbound.c.id == sa.bindparam("row_id"))
        .values(dedupe_key=sa.bindparam("key"))
    )
    connection.execute(update, [{"row_id": i, "key": f"moving:{i}"} for i in keys])
    connection.execute(update, [{"row_id": i, "key": key} for i, key in keys.items()])


def upgrade() -> None:
    op.create_table(
        "seen_activities",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.Column("status", sa.Integer()),
    )
    op.create_index("ix_seen_activities_received_at", "seen_activities", ["received_at"])
    connection = op.get_bind()
    _rekey(connection, {email.id: _new_key(email) for email in _emails(connection)})


def downgrade() -> None:
    connection = op.get_bind()
    keys: dict[str, str] = {}
    taken: set[str] = set()
    for email in _emails(connection):
        if email.key.startswith(LEGACY):
            key = email.key.removeprefix(LEGACY)
        elif email.evidence is not None and email.evidence.message_id:
            key = email.evidence.message_id
        else:
            key = BYTES + email.email_sha256
        if key in taken:
            key = f"{key}:{email.id}"
        taken.add(key)
        keys[email.id] = key
    _rekey(connection, keys)
    op.drop_index("ix_seen_activities_received_at", "seen_activities")
    op.drop_table("seen_activities")
