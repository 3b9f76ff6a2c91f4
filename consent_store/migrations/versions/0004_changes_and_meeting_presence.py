"""The staff member's name and the Teams service URL on meetings; edited meetings (removed
attendees and documents); the live meeting: who is present, the bot's calls, handled call
notifications, files posted in the chat.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from consent_store.tables import UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meetings") as batch:
        batch.add_column(sa.Column("staff_name_enc", sa.LargeBinary()))
        batch.add_column(sa.Column("teams_service_url", sa.String(512)))
        batch.create_index("ix_meetings_teams_chat_thread_id", ["teams_chat_thread_id"])
    with op.batch_alter_table("attendees") as batch:
        batch.add_column(sa.Column("removed_at", UtcDateTime()))
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("removed_at", UtcDateTime()))
    op.create_table(
        "meeting_presence",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("meeting_id", sa.String(32), sa.ForeignKey("meetings.id"), nullable=False),
        sa.Column("participant_index", sa.String(64), nullable=False),
        sa.Column("attendee_id", sa.String(32), sa.ForeignKey("attendees.id")),
        sa.Column("is_staff", sa.Boolean(), nullable=False),
        sa.Column("joined_at", UtcDateTime(), nullable=False),
        sa.Column("left_at", UtcDateTime()),
        sa.UniqueConstraint("meeting_id", "participant_index"),
    )
    op.create_index("ix_meeting_presence_meeting_id", "meeting_presence", ["meeting_id"])
    op.create_table(
        "meeting_calls",
        sa.Column("call_id", sa.String(64), primary_key=True),
        sa.Column("meeting_id", sa.String(32), sa.ForeignKey("meetings.id"), nullable=False),
        sa.Column("state", sa.String(24), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("announced_at", UtcDateTime()),
    )
    op.create_index("ix_meeting_calls_meeting_id", "meeting_calls", ["meeting_id"])
    op.create_table(
        "call_notifications",
        sa.Column("dedupe_key", sa.String(64), primary_key=True),
        sa.Column("call_id", sa.String(64)),
        sa.Column("received_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_call_notifications_call_id", "call_notifications", ["call_id"])
    op.create_table(
        "shared_files",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("meeting_id", sa.String(32), sa.ForeignKey("meetings.id"), nullable=False),
        sa.Column("drive_item_id", sa.String(256), nullable=False),
        sa.Column("name_enc", sa.LargeBinary()),
        sa.Column("document_id", sa.String(32), sa.ForeignKey("documents.id")),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("posted_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_shared_files_meeting_id", "shared_files", ["meeting_id"])


def downgrade() -> None:
    op.drop_index("ix_shared_files_meeting_id", "shared_files")
    op.drop_table("shared_files")
    op.drop_index("ix_call_notifications_call_id", "call_notifications")
    op.drop_table("call_notifications")
    op.drop_index("ix_meeting_calls_meeting_id", "meeting_calls")
    op.drop_table("meeting_calls")
    op.drop_index("ix_meeting_presence_meeting_id", "meeting_presence")
    op.drop_table("meeting_presence")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("removed_at")
    with op.batch_alter_table("attendees") as batch:
        batch.drop_column("removed_at")
    with op.batch_alter_table("meetings") as batch:
        batch.drop_index("ix_meetings_teams_chat_thread_id")
        batch.drop_column("teams_service_url")
        batch.drop_column("staff_name_enc")
