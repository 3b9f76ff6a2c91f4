"""Legal requests answered and sent (issue 17): the service user's answer to the request for
permission, with its evidence (when it came, the sender check, whether it came from the address
they were invited at, the email's SHA-256 and Message-ID, their deciding words, sealed, and who
read it: the bot or the manager); the manager's safeguarding reason for sending without
permission (sealed), by whom and when; the extract as sent (its SHA-256, when, its Message-ID).
A review item may be a reply about a legal request (`review_items.legal_request_id`): the
manager reads it on the request's page.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from consent_store.tables import UtcDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("legal_requests") as batch:
        batch.add_column(sa.Column("answered_at", UtcDateTime()))
        batch.add_column(sa.Column("answered_by", sa.String(64)))
        batch.add_column(sa.Column("answer_auth", sa.String(8)))
        batch.add_column(sa.Column("answer_sender_matches", sa.Boolean()))
        batch.add_column(sa.Column("answer_message_id", sa.String(998)))
        batch.add_column(sa.Column("answer_email_sha256", sa.String(64)))
        batch.add_column(sa.Column("answer_phrase_enc", sa.LargeBinary()))
        batch.add_column(sa.Column("safeguarding_reason_enc", sa.LargeBinary()))
        batch.add_column(sa.Column("safeguarding_by", sa.String(64)))
        batch.add_column(sa.Column("safeguarding_at", UtcDateTime()))
        batch.add_column(sa.Column("extract_sha256", sa.String(64)))
        batch.add_column(sa.Column("extract_sent_at", UtcDateTime()))
        batch.add_column(sa.Column("extract_message_id", sa.String(998)))
    with op.batch_alter_table("review_items") as batch:
        batch.add_column(
            sa.Column(
                "legal_request_id",
                sa.String(32),
                sa.ForeignKey("legal_requests.id", name="fk_review_items_legal_request_id"),
            )
        )
        batch.create_index("ix_review_items_legal_request_id", ["legal_request_id"])


def downgrade() -> None:
    with op.batch_alter_table("review_items") as batch:
        batch.drop_index("ix_review_items_legal_request_id")
        batch.drop_column("legal_request_id")
    with op.batch_alter_table("legal_requests") as batch:
        for column in (
            "extract_message_id",
            "extract_sent_at",
            "extract_sha256",
            "safeguarding_at",
            "safeguarding_by",
            "safeguarding_reason_enc",
            "answer_phrase_enc",
            "answer_email_sha256",
            "answer_message_id",
            "answer_sender_matches",
            "answer_auth",
            "answered_by",
            "answered_at",
        ):
            batch.drop_column(column)
