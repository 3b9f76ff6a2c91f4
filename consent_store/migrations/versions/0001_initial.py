"""The initial consent store: meetings, attendees, documents, consent, review queue, audit log.

The audit log refuses UPDATE and DELETE (and TRUNCATE on PostgreSQL) in the database itself.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from consent_store.tables import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_SQLITE_TRIGGERS = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
)
_POSTGRES_TRIGGERS = (
    "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$",
    "CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
)


def _id() -> sa.Column[str]:
    return sa.Column("id", sa.String(32), primary_key=True)


def upgrade() -> None:
    op.create_table(
        "meetings",
        _id(),
        sa.Column("reference", sa.String(13), nullable=False, unique=True),
        sa.Column("title_enc", sa.LargeBinary()),
        sa.Column("starts_at", UtcDateTime(), nullable=False, index=True),
        sa.Column("ends_at", UtcDateTime(), nullable=False),
        sa.Column("organiser_user_id", sa.String(64), nullable=False),
        sa.Column("declared_role", sa.String(32), nullable=False),
        sa.Column("recording_requested", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("teams_meeting_id", sa.String(512)),
        sa.Column("teams_join_url", sa.Text()),
        sa.Column("teams_chat_thread_id", sa.String(256)),
        sa.Column("recording_outcome", sa.String(16)),
        sa.Column("safeguarding_hold", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("disposed_at", UtcDateTime()),
    )
    op.create_table(
        "attendees",
        _id(),
        sa.Column("meeting_id", sa.String(32), sa.ForeignKey("meetings.id"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name_enc", sa.LargeBinary()),
        sa.Column("email_enc", sa.LargeBinary()),
        sa.Column("email_index", sa.String(64)),
        sa.Column("organisation_enc", sa.LargeBinary()),
    )
    op.create_index("ix_attendees_meeting_id", "attendees", ["meeting_id"])
    op.create_index("ix_attendees_email_index", "attendees", ["email_index"])
    op.create_table(
        "documents",
        _id(),
        sa.Column("meeting_id", sa.String(32), sa.ForeignKey("meetings.id"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title_enc", sa.LargeBinary()),
        sa.Column("url_enc", sa.LargeBinary()),
        sa.Column("listed_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_documents_meeting_id", "documents", ["meeting_id"])
    op.create_table(
        "consent_requests",
        _id(),
        sa.Column("meeting_id", sa.String(32), sa.ForeignKey("meetings.id"), nullable=False),
        sa.Column("attendee_id", sa.String(32), sa.ForeignKey("attendees.id"), nullable=False),
        sa.Column("message_id", sa.String(998), nullable=False, unique=True),
        sa.Column("template_version", sa.String(64), nullable=False),
        sa.Column("text_sha256", sa.String(64), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("documents_covered", sa.JSON(), nullable=False),
        sa.Column("sent_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_consent_requests_meeting_id", "consent_requests", ["meeting_id"])
    op.create_index("ix_consent_requests_attendee_id", "consent_requests", ["attendee_id"])
    op.create_table(
        "consent_decisions",
        _id(),
        sa.Column("meeting_id", sa.String(32), sa.ForeignKey("meetings.id"), nullable=False),
        sa.Column("attendee_id", sa.String(32), sa.ForeignKey("attendees.id"), nullable=False),
        sa.Column("topic", sa.String(16), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.Column("message_id", sa.String(998)),
        sa.Column("sender_enc", sa.LargeBinary()),
        sa.Column("sender_index", sa.String(64)),
        sa.Column("auth_verdict", sa.String(8), nullable=False),
        sa.Column("sender_matches", sa.Boolean(), nullable=False),
        sa.Column("phrase_enc", sa.LargeBinary()),
        sa.Column("email_sha256", sa.String(64)),
        sa.Column("request_id", sa.String(32), sa.ForeignKey("consent_requests.id")),
        sa.Column("documents_covered", sa.JSON(), nullable=False),
        sa.Column("decided_by", sa.String(64), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
    )
    op.create_index(
        "ix_decisions_meeting_received", "consent_decisions", ["meeting_id", "received_at"]
    )
    op.create_index("ix_consent_decisions_attendee_id", "consent_decisions", ["attendee_id"])
    op.create_index("ix_consent_decisions_sender_index", "consent_decisions", ["sender_index"])
    op.create_table(
        "review_items",
        _id(),
        sa.Column("meeting_id", sa.String(32), sa.ForeignKey("meetings.id")),
        sa.Column("message_id", sa.String(998)),
        sa.Column("sender_enc", sa.LargeBinary()),
        sa.Column("sender_index", sa.String(64)),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("text_enc", sa.LargeBinary()),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("resolved_by", sa.String(64)),
        sa.Column("resolved_at", UtcDateTime()),
    )
    op.create_index("ix_review_items_meeting_id", "review_items", ["meeting_id"])
    op.create_index("ix_review_items_sender_index", "review_items", ["sender_index"])
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("meeting_id", sa.String(32)),
        sa.Column("subject_id", sa.String(32)),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("mac", sa.String(64), nullable=False),
    )
    op.create_index("ix_audit_log_meeting_id", "audit_log", ["meeting_id"])
    op.create_index("ix_audit_log_subject_id", "audit_log", ["subject_id"])
    triggers = (
        _POSTGRES_TRIGGERS if op.get_bind().dialect.name == "postgresql" else _SQLITE_TRIGGERS
    )
    for statement in triggers:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE audit_log")
        op.execute("DROP FUNCTION audit_log_append_only()")
    else:
        op.drop_table("audit_log")
    for table in (
        "review_items",
        "consent_decisions",
        "consent_requests",
        "documents",
        "attendees",
        "meetings",
    ):
        op.drop_table(table)
