"""Legal requests sent once and disposed of (issue 17): whoever sends a request's extract
claims it first, until a time (`extract_claimed_by`, `extract_claimed_until`), so two senders
racing (two instances, a page and a job, a retried job) cannot both send it; and when the last
meeting a request names is disposed of under the retention schedule, its personal fields go
and `disposed_at` says when.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from consent_store.tables import UtcDateTime

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("legal_requests") as batch:
        batch.add_column(sa.Column("extract_claimed_by", sa.String(64)))
        batch.add_column(sa.Column("extract_claimed_until", UtcDateTime()))
        batch.add_column(sa.Column("disposed_at", UtcDateTime()))


def downgrade() -> None:
    with op.batch_alter_table("legal_requests") as batch:
        for column in ("disposed_at", "extract_claimed_until", "extract_claimed_by"):
            batch.drop_column(column)
