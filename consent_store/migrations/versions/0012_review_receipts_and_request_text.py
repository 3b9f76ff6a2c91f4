"""What the review queue owes the sender, and what each person was sent (issue 19).

- `consent_requests.text_enc`: the rendered text of each consent request, sealed like other
  personal values, so subject access can say in sentences what the person was sent (until now
  only its template version and SHA-256 were kept; requests sent before this have no text).
- `consent_decisions.condition_enc`: the condition a person put on their agreement ("yes as
  long as ..."), written down by the staff member who confirmed it, sealed.
- `consent_decisions.review_item_id`: the review item a decision was confirmed from, so the
  receipt job for that reading finds exactly the decisions it reports.
- `review_items.acknowledged_at` and `receipt_sent_at`: when the acknowledgement (a member of
  staff will read it) and the receipt after confirming were sent; the durable jobs that send
  them are queued in the same transaction as the item and the confirmation.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from consent_store.tables import UtcDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("consent_requests") as batch:
        batch.add_column(sa.Column("text_enc", sa.LargeBinary()))
    with op.batch_alter_table("consent_decisions") as batch:
        batch.add_column(sa.Column("condition_enc", sa.LargeBinary()))
        batch.add_column(
            sa.Column(
                "review_item_id",
                sa.String(32),
                sa.ForeignKey("review_items.id", name="fk_consent_decisions_review_item_id"),
            )
        )
        batch.create_index("ix_consent_decisions_review_item_id", ["review_item_id"])
    with op.batch_alter_table("review_items") as batch:
        batch.add_column(sa.Column("acknowledged_at", UtcDateTime()))
        batch.add_column(sa.Column("receipt_sent_at", UtcDateTime()))


def downgrade() -> None:
    with op.batch_alter_table("review_items") as batch:
        batch.drop_column("receipt_sent_at")
        batch.drop_column("acknowledged_at")
    with op.batch_alter_table("consent_decisions") as batch:
        batch.drop_index("ix_consent_decisions_review_item_id")
        batch.drop_column("review_item_id")
        batch.drop_column("condition_enc")
    with op.batch_alter_table("consent_requests") as batch:
        batch.drop_column("text_enc")
