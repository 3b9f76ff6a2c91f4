"""The meeting's real start and whether recording has been closed since it.

`started_at` is the earliest start seen (scheduled, Teams' meeting-start event, the first join,
the bot's call established, the first roster with anyone in it); `recording_closed_at` is when
the recording gate was first found closed at or after that start, after which recording stays
off for the rest of the meeting.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from consent_store.tables import UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meetings") as batch:
        batch.add_column(sa.Column("started_at", UtcDateTime(), nullable=True))
        batch.add_column(sa.Column("recording_closed_at", UtcDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("meetings") as batch:
        batch.drop_column("recording_closed_at")
        batch.drop_column("started_at")
