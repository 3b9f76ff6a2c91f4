"""The meeting watch (issue 12): for a meeting whose recording Teams allows, when a bot
instance last confirmed it was taking in what Teams sends about it (`watched_at`), and when the
bot found it had lost sight of a meeting already under way (`sight_lost_at`: someone may have
joined and left unseen, so recording stays off until the meeting ends).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from consent_store.tables import UtcDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meetings") as batch:
        batch.add_column(sa.Column("watched_at", UtcDateTime()))
        batch.add_column(sa.Column("sight_lost_at", UtcDateTime()))


def downgrade() -> None:
    with op.batch_alter_table("meetings") as batch:
        batch.drop_column("sight_lost_at")
        batch.drop_column("watched_at")
