"""Why recording closed for the rest of a meeting (`recording_closed_reasons`: the gate's
blocker codes when it closed, comma-separated; no personal data), so the private notice that
recording stays off can be given by a durable job when the process that closed the gate
could not give it (it stopped, or the store failed just after the closing was noted).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meetings") as batch:
        batch.add_column(sa.Column("recording_closed_reasons", sa.String(512)))


def downgrade() -> None:
    with op.batch_alter_table("meetings") as batch:
        batch.drop_column("recording_closed_reasons")
