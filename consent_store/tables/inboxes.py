"""The durable inboxes: what Teams and Graph sent, kept from the moment they were answered
until a worker has handled it, with the leases that let one instance at a time handle a
meeting chat's activities or a call's notices in order (`consent_store.meeting_activities`,
`consent_store.call_notices`), and the activities of the last day, so a copy sent again is
not handled twice (`consent_store.seen_activities`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from consent_store.tables.base import Base, UtcDateTime


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
