"""The meeting activity inbox: what Teams told the bot about meeting chats, kept until handled,
and the lease that gives one instance a chat's activities at a time.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from consent_store.tables import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meeting_activities",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("thread_id", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("payload_enc", sa.LargeBinary(), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
    )
    op.create_index("ix_meeting_activities_thread_id", "meeting_activities", ["thread_id"])
    op.create_table(
        "meeting_chat_leases",
        sa.Column("thread_id", sa.String(200), primary_key=True),
        sa.Column("holder", sa.String(64), nullable=False),
        sa.Column("lease_until", UtcDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("meeting_chat_leases")
    op.drop_index("ix_meeting_activities_thread_id", "meeting_activities")
    op.drop_table("meeting_activities")
