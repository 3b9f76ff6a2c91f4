"""Staff sessions kept server-side, so signing out ends a session everywhere and a session
lapses after a working day however much it is used.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from consent_store.tables import UtcDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("object_id", sa.String(64), nullable=False),
        sa.Column("display_name_enc", sa.LargeBinary(), nullable=False),
        sa.Column("csrf_token_enc", sa.LargeBinary(), nullable=False),
        sa.Column("in_teams", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("last_seen_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_staff_sessions_created_at", "staff_sessions", ["created_at"])
    op.create_index("ix_staff_sessions_last_seen_at", "staff_sessions", ["last_seen_at"])


def downgrade() -> None:
    op.drop_index("ix_staff_sessions_last_seen_at", "staff_sessions")
    op.drop_index("ix_staff_sessions_created_at", "staff_sessions")
    op.drop_table("staff_sessions")
