"""The calls notification inbox: comms notifications kept from Graph's answer until handled,
the lease that gives one instance a call's notices at a time, and the roster last handled
for each call.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from consent_store.tables import UtcDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "call_notices",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("call_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("payload_enc", sa.LargeBinary(), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
    )
    op.create_index("ix_call_notices_call_id", "call_notices", ["call_id"])
    op.create_table(
        "call_notice_leases",
        sa.Column("call_id", sa.String(64), primary_key=True),
        sa.Column("holder", sa.String(64), nullable=False),
        sa.Column("lease_until", UtcDateTime(), nullable=False),
    )
    with op.batch_alter_table("meeting_calls") as batch:
        batch.add_column(sa.Column("last_roster_sha256", sa.String(64)))


def downgrade() -> None:
    with op.batch_alter_table("meeting_calls") as batch:
        batch.drop_column("last_roster_sha256")
    op.drop_table("call_notice_leases")
    op.drop_index("ix_call_notices_call_id", "call_notices")
    op.drop_table("call_notices")
