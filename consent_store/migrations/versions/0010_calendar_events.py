"""Calendar-backed meetings: the organiser's calendar event behind each Teams meeting (so that
edits and cancellations go through Exchange, which sends the invitations), and when the
meeting's settings (recording, transcription and automatic recording off, lobby, presenters)
were last confirmed by reading them back. Meetings stored before this keep no event id and
keep working through their online meeting alone; they were created with those settings in
the same request, so they count as confirmed when they were created.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from consent_store.tables import UtcDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meetings") as batch:
        batch.add_column(sa.Column("teams_event_id", sa.String(512)))
        batch.add_column(sa.Column("teams_settings_confirmed_at", UtcDateTime()))
    op.execute(
        "UPDATE meetings SET teams_settings_confirmed_at = created_at"
        " WHERE teams_meeting_id IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("meetings") as batch:
        batch.drop_column("teams_settings_confirmed_at")
        batch.drop_column("teams_event_id")
