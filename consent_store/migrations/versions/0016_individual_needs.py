"""The service user's individual needs (issue 18, part 5): `meetings.needs_enc`, sealed JSON of
what staff recorded when scheduling (joins by phone, easy read, an interpreter or other
supporter and their role, large print or another format for the documents). Cleared by
disposal with the meeting's other sealed values.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meetings") as batch:
        batch.add_column(sa.Column("needs_enc", sa.LargeBinary()))


def downgrade() -> None:
    with op.batch_alter_table("meetings") as batch:
        batch.drop_column("needs_enc")
