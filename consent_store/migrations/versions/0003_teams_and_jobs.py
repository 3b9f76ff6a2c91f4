"""Teams recording state and attention flags on meetings; leased timed jobs.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from consent_store.tables import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meetings") as batch:
        batch.add_column(sa.Column("teams_recording_allowed", sa.Boolean()))
        batch.add_column(sa.Column("needs_attention", sa.String(64)))
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("key", sa.String(200), nullable=False, unique=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("meeting_id", sa.String(32), sa.ForeignKey("meetings.id")),
        sa.Column("due_at", UtcDateTime(), nullable=False),
        sa.Column("claimed_by", sa.String(64)),
        sa.Column("lease_until", UtcDateTime()),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("done_at", UtcDateTime()),
        sa.Column("last_error", sa.String(200)),
    )
    op.create_index("ix_jobs_due", "jobs", ["done_at", "due_at"])
    op.create_index("ix_jobs_meeting_id", "jobs", ["meeting_id"])


def downgrade() -> None:
    op.drop_index("ix_jobs_meeting_id", "jobs")
    op.drop_index("ix_jobs_due", "jobs")
    op.drop_table("jobs")
    with op.batch_alter_table("meetings") as batch:
        batch.drop_column("needs_attention")
        batch.drop_column("teams_recording_allowed")
