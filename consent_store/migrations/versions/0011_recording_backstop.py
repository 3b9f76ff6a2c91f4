"""The recording backstop: recordings and transcripts found in Microsoft 365 (ids, times,
whether the gate permitted them, and what staff did about one that was not), and the Graph
subscriptions that report new ones; meetings found by their Teams meeting id.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from consent_store.tables import UtcDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_meetings_teams_meeting_id", "meetings", ["teams_meeting_id"])
    op.create_table(
        "recording_artefacts",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("meeting_id", sa.String(32), sa.ForeignKey("meetings.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("graph_id", sa.String(512), nullable=False),
        sa.Column("created_at", UtcDateTime()),
        sa.Column("ended_at", UtcDateTime()),
        sa.Column("found_at", UtcDateTime(), nullable=False),
        sa.Column("found_by", sa.String(16), nullable=False),
        sa.Column("permitted", sa.Boolean(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("resolved_at", UtcDateTime()),
        sa.Column("resolved_by", sa.String(64)),
        sa.Column("resolution_enc", sa.LargeBinary()),
        sa.UniqueConstraint("meeting_id", "kind", "graph_id"),
    )
    op.create_index("ix_recording_artefacts_meeting_id", "recording_artefacts", ["meeting_id"])
    op.create_table(
        "graph_subscriptions",
        sa.Column("resource", sa.String(200), primary_key=True),
        sa.Column("subscription_id", sa.String(128), nullable=False),
        sa.Column("client_state", sa.String(128), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("graph_subscriptions")
    op.drop_index("ix_recording_artefacts_meeting_id", "recording_artefacts")
    op.drop_table("recording_artefacts")
    op.drop_index("ix_meetings_teams_meeting_id", "meetings")
