"""The store's tables as SQLAlchemy models.

Columns ending in `_enc` hold AES-GCM ciphertext of personal data (see `crypto`); `_index`
columns hold keyed blind-index hashes. Everything else is pseudonymous: random ids, times,
enumerations. Disposal clears the `_enc` and `_index` columns and leaves the rest.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.expression import false


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every engine (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; give a timezone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class MeetingRow(Base):
    __tablename__ = "meetings"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    reference: Mapped[str] = mapped_column(String(13), unique=True)
    title_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    organiser_user_id: Mapped[str] = mapped_column(String(64))
    declared_role: Mapped[str] = mapped_column(String(32))
    recording_requested: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    teams_meeting_id: Mapped[str | None] = mapped_column(String(512), index=True)
    teams_join_url: Mapped[str | None] = mapped_column(Text)
    teams_chat_thread_id: Mapped[str | None] = mapped_column(String(256), index=True)
    recording_outcome: Mapped[str | None] = mapped_column(String(16))
    safeguarding_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    disposed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    teams_recording_allowed: Mapped[bool | None] = mapped_column(Boolean)
    needs_attention: Mapped[str | None] = mapped_column(String(64))
    staff_name_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    teams_service_url: Mapped[str | None] = mapped_column(String(512))
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    recording_closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    teams_event_id: Mapped[str | None] = mapped_column(String(512))
    teams_settings_confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    watched_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    sight_lost_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    needs_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    """The service user's individual needs (`consent_store.needs`), sealed as JSON."""


class AttendeeRow(Base):
    __tablename__ = "attendees"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    name_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    email_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    email_index: Mapped[str | None] = mapped_column(String(64), index=True)
    organisation_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    removed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class DocumentRow(Base):
    __tablename__ = "documents"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    url_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    listed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ConsentRequestRow(Base):
    """A consent request email as sent: which text (version and hash) the person was shown."""

    __tablename__ = "consent_requests"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    attendee_id: Mapped[str] = mapped_column(ForeignKey("attendees.id"), index=True)
    message_id: Mapped[str] = mapped_column(String(998), unique=True)
    template_version: Mapped[str] = mapped_column(String(64))
    text_sha256: Mapped[str] = mapped_column(String(64))
    topics: Mapped[list[str]] = mapped_column(JSON)
    documents_covered: Mapped[list[str]] = mapped_column(JSON)
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime)
    text_enc: Mapped[bytes | None] = mapped_column(LargeBinary)


class ConsentDecisionRow(Base):
    """One decision on one topic, with the evidence for it."""

    __tablename__ = "consent_decisions"
    __table_args__ = (Index("ix_decisions_meeting_received", "meeting_id", "received_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"))
    attendee_id: Mapped[str] = mapped_column(ForeignKey("attendees.id"), index=True)
    topic: Mapped[str] = mapped_column(String(16))
    decision: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    message_id: Mapped[str | None] = mapped_column(String(998))
    sender_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    sender_index: Mapped[str | None] = mapped_column(String(64), index=True)
    auth_verdict: Mapped[str] = mapped_column(String(8))
    sender_matches: Mapped[bool] = mapped_column(Boolean)
    phrase_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    email_sha256: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(ForeignKey("consent_requests.id"))
    documents_covered: Mapped[list[str]] = mapped_column(JSON)
    decided_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    condition_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    review_item_id: Mapped[str | None] = mapped_column(
        ForeignKey("review_items.id", name="fk_consent_decisions_review_item_id"), index=True
    )


class ReviewItemRow(Base):
    """An email a person must read before it can count for anything."""

    __tablename__ = "review_items"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    meeting_id: Mapped[str | None] = mapped_column(ForeignKey("meetings.id"), index=True)
    message_id: Mapped[str | None] = mapped_column(String(998))
    sender_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    sender_index: Mapped[str | None] = mapped_column(String(64), index=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str] = mapped_column(String(64))
    text_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), default="open")
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    attendee_id: Mapped[str | None] = mapped_column(ForeignKey("attendees.id"))
    auth_verdict: Mapped[str] = mapped_column(String(8), default="none", server_default="none")
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    receipt_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    legal_request_id: Mapped[str | None] = mapped_column(
        ForeignKey("legal_requests.id"), index=True
    )


class InboundEmailRow(Base):
    """Each email taken from the consent mailbox, once: what became of it, never its content.

    `dedupe_key` is a SHA-256 naming the email (`consent_store.inbound.email_key`): its
    Message-ID with the sender's blind index and authentication verdict, and, unless the
    sender was authenticated, which mailbox item it is; so the same email delivered twice, or
    read by two bot instances, is processed once, and no other sender's email can take its key.
    """

    __tablename__ = "inbound_emails"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(998), unique=True)
    mailbox_message_id: Mapped[str | None] = mapped_column(String(512))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    processed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    outcome: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str | None] = mapped_column(String(64))
    meeting_id: Mapped[str | None] = mapped_column(ForeignKey("meetings.id"), index=True)
    attendee_id: Mapped[str | None] = mapped_column(ForeignKey("attendees.id"))
    email_sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    receipt_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class MailboxCursorRow(Base):
    """Where reading the consent mailbox got to: the delta link and the live subscription."""

    __tablename__ = "mailbox_cursors"

    mailbox: Mapped[str] = mapped_column(String(320), primary_key=True)
    delta_link: Mapped[str | None] = mapped_column(Text)
    subscription_id: Mapped[str | None] = mapped_column(String(128))
    subscription_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    client_state: Mapped[str | None] = mapped_column(String(128))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PresenceRow(Base):
    """Someone in a meeting's Teams call or chat roster. `participant_index` is the keyed blind
    index of their Teams id (so nobody's Teams id is stored); `attendee_id` is the invited
    attendee they were matched to, or None for someone the meeting did not invite."""

    __tablename__ = "meeting_presence"
    __table_args__ = (UniqueConstraint("meeting_id", "participant_index"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    participant_index: Mapped[str] = mapped_column(String(64))
    attendee_id: Mapped[str | None] = mapped_column(ForeignKey("attendees.id"))
    is_staff: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime)
    left_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class CallRow(Base):
    """The bot's own Graph call into a meeting. `call_id` is normalised (lower case, hyphens),
    since notifications vary its case and hyphenation. `last_roster_sha256` identifies the
    roster last handled for the call, so an equal one that follows is passed over."""

    __tablename__ = "meeting_calls"

    call_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    state: Mapped[str] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    announced_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_roster_sha256: Mapped[str | None] = mapped_column(String(64))


class CallNotificationRow(Base):
    """A comms notification already handled, by the SHA-256 of its content, so duplicates
    are ignored."""

    __tablename__ = "call_notifications"

    dedupe_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    call_id: Mapped[str | None] = mapped_column(String(64), index=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SharedFileRow(Base):
    """A file posted in a meeting's chat and what the share gate decided about it. Only what
    the decision needs is kept: the drive item's id and the file's name (encrypted)."""

    __tablename__ = "shared_files"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    drive_item_id: Mapped[str] = mapped_column(String(256))
    name_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    document_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id"))
    outcome: Mapped[str] = mapped_column(String(16))
    posted_at: Mapped[datetime] = mapped_column(UtcDateTime)


class MeetingActivityRow(Base):
    """Something Teams told the bot about a meeting chat, kept from the moment Teams was
    answered until a worker has handled it, then deleted. A chat's activities are ordered by
    `received_at`, then `sequence` (the order one instance took them in); what happened
    (people's names, file names) is sealed in `payload_enc`."""

    __tablename__ = "meeting_activities"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    sequence: Mapped[int] = mapped_column(BigInteger)
    thread_id: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    payload_enc: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class MeetingChatLeaseRow(Base):
    """Which bot instance is handling a meeting chat's activities, until when; one instance at
    a time, so a chat's activities are handled in order."""

    __tablename__ = "meeting_chat_leases"

    thread_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    lease_until: Mapped[datetime] = mapped_column(UtcDateTime)


class CallNoticeRow(Base):
    """A comms notification on `/api/calls`, kept from the moment Graph was answered until it
    has been handled, then deleted. A call's notices are ordered by `received_at`, then
    `sequence` (the order one instance took them in); the notice itself is sealed. `kind`
    is `report_established` once its state change is applied and only the report to the
    meeting's opening is left."""

    __tablename__ = "call_notices"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    sequence: Mapped[int] = mapped_column(BigInteger)
    call_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    payload_enc: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class CallNoticeLeaseRow(Base):
    """Which bot instance is handling a call's notices, until when; one at a time, in order."""

    __tablename__ = "call_notice_leases"

    call_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    lease_until: Mapped[datetime] = mapped_column(UtcDateTime)


class SeenActivityRow(Base):
    """An activity Teams sent the bot, remembered for a day so that a copy sent again is
    answered as the first was and not handled twice. `key` is a keyed hash of the activity's
    channel, conversation and id (`BlindIndex.of_activity`); `status` is the HTTP status the
    first copy was answered with, None while it is being handled (since `received_at`)."""

    __tablename__ = "seen_activities"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    status: Mapped[int | None] = mapped_column(Integer)


class AuditEntryRow(Base):
    """An audit entry. `seq` is contiguous from 1; `mac` chains it to the entry before."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    action: Mapped[str] = mapped_column(String(64))
    meeting_id: Mapped[str | None] = mapped_column(String(32), index=True)
    subject_id: Mapped[str | None] = mapped_column(String(32), index=True)
    actor: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text)
    mac: Mapped[str] = mapped_column(String(64))


class JobRow(Base):
    """Timed work (reminders, freezing decisions at the start, joining, disposal).

    A job is claimed with a lease before it runs, so with several bot instances on one
    database each due job is run by one of them; a crashed claimant's lease runs out and the
    job is claimed again. `key` makes scheduling the same job twice a no-op.
    """

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_due", "done_at", "due_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    meeting_id: Mapped[str | None] = mapped_column(ForeignKey("meetings.id"), index=True)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(String(200))


class StaffSessionRow(Base):
    """A staff member signed in to the staff pages. `id` is a keyed hash of the random id the
    session cookie carries, so the table alone lets no one present a session; `object_id` is
    the staff member's directory object id. The display name and the session's CSRF token are
    sealed. The row goes at sign-out, or once the session has lapsed (idle since
    `last_seen_at`, or too long since `created_at`)."""

    __tablename__ = "staff_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    object_id: Mapped[str] = mapped_column(String(64))
    display_name_enc: Mapped[bytes] = mapped_column(LargeBinary)
    csrf_token_enc: Mapped[bytes] = mapped_column(LargeBinary)
    in_teams: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    is_manager: Mapped[bool] = mapped_column(Boolean, server_default=false())


class RecordingArtefactRow(Base):
    """A recording or transcript of a meeting found in Microsoft 365 (by a change notification
    or the check after the meeting), once each by its Graph id. Ids and times only, and
    whether the gate permitted it (`reasons`: the codes of why not). One not permitted shows on
    the meeting page until staff record what was done with it (`resolution_enc`, sealed, as
    staff may write a name); the bot never deletes it."""

    __tablename__ = "recording_artefacts"
    __table_args__ = (UniqueConstraint("meeting_id", "kind", "graph_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    graph_id: Mapped[str] = mapped_column(String(512))
    created_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    found_at: Mapped[datetime] = mapped_column(UtcDateTime)
    found_by: Mapped[str] = mapped_column(String(16))
    permitted: Mapped[bool] = mapped_column(Boolean)
    reasons: Mapped[str] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolution_enc: Mapped[bytes | None] = mapped_column(LargeBinary)


class GraphSubscriptionRow(Base):
    """A Graph change-notification subscription the bot keeps (other than the consent
    mailbox's, kept with its cursor), by the resource it watches."""

    __tablename__ = "graph_subscriptions"

    resource: Mapped[str] = mapped_column(String(200), primary_key=True)
    subscription_id: Mapped[str] = mapped_column(String(128))
    client_state: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class LiaisonOrganisationRow(Base):
    """A professional or organisation staff named for liaison about a meeting's matter (issue
    17): the service users are asked whether staff may talk to them or pass information on.
    The name may name a person, so it is sealed."""

    __tablename__ = "liaison_organisations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    named_at: Mapped[datetime] = mapped_column(UtcDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class LiaisonRequestOrganisationRow(Base):
    """Which named organisations a consent request asked about: a decision taken from a reply
    to that request covers exactly these."""

    __tablename__ = "liaison_request_organisations"

    request_id: Mapped[str] = mapped_column(ForeignKey("consent_requests.id"), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(
        ForeignKey("liaison_organisations.id"), primary_key=True
    )


class LegalRequestRow(Base):
    """A request for information for legal reasons from a local authority officer (issue 17),
    as staff logged it and the service manager decided it. Who asked, their address and the
    legal basis are sealed; `attendee_id` is the service user whose permission is asked (the
    same person, by email address, invited to every meeting the request concerns). Their answer
    is kept with its evidence (their deciding words sealed), as is the manager's safeguarding
    reason for sending without permission; of the extract sent, only its SHA-256, when and its
    Message-ID. Whoever sends the extract claims it first (`extract_claimed_by`, until
    `extract_claimed_until`), so it is sent once however many senders race. `disposed_at`: when
    its personal fields went, with the last of its meetings, under the retention schedule."""

    __tablename__ = "legal_requests"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    logged_at: Mapped[datetime] = mapped_column(UtcDateTime)
    logged_by: Mapped[str] = mapped_column(String(64))
    officer_name_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    officer_email_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    basis_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    attendee_id: Mapped[str] = mapped_column(ForeignKey("attendees.id"), index=True)
    status: Mapped[str] = mapped_column(String(24))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    request_message_id: Mapped[str | None] = mapped_column(String(998))
    request_sha256: Mapped[str | None] = mapped_column(String(64))
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    answered_by: Mapped[str | None] = mapped_column(String(64))
    answer_auth: Mapped[str | None] = mapped_column(String(8))
    answer_sender_matches: Mapped[bool | None] = mapped_column(Boolean)
    answer_message_id: Mapped[str | None] = mapped_column(String(998))
    answer_email_sha256: Mapped[str | None] = mapped_column(String(64))
    answer_phrase_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    safeguarding_reason_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    safeguarding_by: Mapped[str | None] = mapped_column(String(64))
    safeguarding_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    extract_sha256: Mapped[str | None] = mapped_column(String(64))
    extract_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    extract_message_id: Mapped[str | None] = mapped_column(String(998))
    extract_claimed_by: Mapped[str | None] = mapped_column(String(64))
    extract_claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    disposed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class LegalRequestMeetingRow(Base):
    """A meeting a legal request concerns: only these meetings' decisions and notes could be
    extracted."""

    __tablename__ = "legal_request_meetings"

    request_id: Mapped[str] = mapped_column(ForeignKey("legal_requests.id"), primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
