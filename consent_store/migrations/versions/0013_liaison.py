"""Permission to liaise (issue 17): the professionals or organisations staff named for a
meeting's matter, and which of them each consent request asked about.

- `liaison_organisations`: one row per named organisation, its name sealed (it may name a
  person), when it was named and, if so, when it was taken off the list.
- `liaison_request_organisations`: the organisations a consent request named, so a decision
  read from a reply to that request covers exactly those.
- `staff_sessions.is_manager`: whether the signed-in staff member holds the manager app role
  (`IASS.Manager` by default), for the manager's pages (subject access, legal requests,
  statistics); sessions from before are not managers' sessions.
- `legal_requests` and `legal_request_meetings`: requests for information for legal reasons
  from local authority officers, as staff logged them and the manager decided them, and the
  meetings each concerns.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from consent_store.tables import UtcDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_sessions") as batch:
        batch.add_column(
            sa.Column("is_manager", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "liaison_organisations",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("meeting_id", sa.String(32), sa.ForeignKey("meetings.id"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name_enc", sa.LargeBinary()),
        sa.Column("named_at", UtcDateTime(), nullable=False),
        sa.Column("removed_at", UtcDateTime()),
    )
    op.create_index("ix_liaison_organisations_meeting_id", "liaison_organisations", ["meeting_id"])
    op.create_table(
        "liaison_request_organisations",
        sa.Column(
            "request_id", sa.String(32), sa.ForeignKey("consent_requests.id"), primary_key=True
        ),
        sa.Column(
            "organisation_id",
            sa.String(32),
            sa.ForeignKey("liaison_organisations.id"),
            primary_key=True,
        ),
    )

    op.create_table(
        "legal_requests",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("reference", sa.String(16), nullable=False, unique=True),
        sa.Column("logged_at", UtcDateTime(), nullable=False),
        sa.Column("logged_by", sa.String(64), nullable=False),
        sa.Column("officer_name_enc", sa.LargeBinary()),
        sa.Column("officer_email_enc", sa.LargeBinary()),
        sa.Column("basis_enc", sa.LargeBinary()),
        sa.Column("attendee_id", sa.String(32), sa.ForeignKey("attendees.id"), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("decided_by", sa.String(64)),
        sa.Column("decided_at", UtcDateTime()),
        sa.Column("request_message_id", sa.String(998)),
        sa.Column("request_sha256", sa.String(64)),
    )
    op.create_index("ix_legal_requests_attendee_id", "legal_requests", ["attendee_id"])
    op.create_table(
        "legal_request_meetings",
        sa.Column(
            "request_id", sa.String(32), sa.ForeignKey("legal_requests.id"), primary_key=True
        ),
        sa.Column("meeting_id", sa.String(32), sa.ForeignKey("meetings.id"), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("legal_request_meetings")
    op.drop_index("ix_legal_requests_attendee_id", "legal_requests")
    op.drop_table("legal_requests")
    with op.batch_alter_table("staff_sessions") as batch:
        batch.drop_column("is_manager")
    op.drop_table("liaison_request_organisations")
    op.drop_index("ix_liaison_organisations_meeting_id", "liaison_organisations")
    op.drop_table("liaison_organisations")
