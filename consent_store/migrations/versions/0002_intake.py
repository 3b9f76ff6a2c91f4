"""Consent intake: each inbound email recorded once, the mailbox cursor, richer review items.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from consent_store.tables import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbound_emails",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("dedupe_key", sa.String(998), nullable=False, unique=True),
        sa.Column("mailbox_message_id", sa.String(512)),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.Column("processed_at", UtcDateTime(), nullable=False),
        sa.Column("outcome", sa.String(24), nullable=False),
        sa.Column("reason", sa.String(64)),
        sa.Column("meeting_id", sa.String(32), sa.ForeignKey("meetings.id")),
        sa.Column("attendee_id", sa.String(32), sa.ForeignKey("attendees.id")),
        sa.Column("email_sha256", sa.String(64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("receipt_sent_at", UtcDateTime()),
    )
    op.create_index("ix_inbound_emails_meeting_id", "inbound_emails", ["meeting_id"])
    op.create_table(
        "mailbox_cursors",
        sa.Column("mailbox", sa.String(320), primary_key=True),
        sa.Column("delta_link", sa.Text()),
        sa.Column("subscription_id", sa.String(128)),
        sa.Column("subscription_expires_at", UtcDateTime()),
        sa.Column("client_state", sa.String(128)),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )
    with op.batch_alter_table("review_items") as batch:
        batch.add_column(
            sa.Column(
                "attendee_id",
                sa.String(32),
                sa.ForeignKey("attendees.id", name="fk_review_items_attendee_id"),
            )
        )
        batch.add_column(
            sa.Column("auth_verdict", sa.String(8), nullable=False, server_default="none")
        )


def downgrade() -> None:
    with op.batch_alter_table("review_items") as batch:
        batch.drop_column("auth_verdict")
        batch.drop_column("attendee_id")
    op.drop_table("mailbox_cursors")
    op.drop_index("ix_inbound_emails_meeting_id", "inbound_emails")
    op.drop_table("inbound_emails")
