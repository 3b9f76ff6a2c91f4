"""The meeting page's view model: the meeting in words, as its template and its summary at the
top (`meeting_glance`) read it. Built by `meeting_page.meeting_view`; no ids, only names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class TopicStatus:
    """An attendee's latest decision on one topic; `decision` None means no reply yet."""

    topic: str
    decision: str | None
    received_at: datetime | None = None
    how: str | None = None
    authentication: str | None = None
    late: bool = False
    condition: str | None = None


@dataclass(frozen=True)
class AttendeeView:
    name: str | None
    kind: str
    organisation: str | None
    topics: tuple[TopicStatus, ...]
    not_asked: str = ""
    """Why they have no answers shown: not asked yet, or nothing needs their consent."""


@dataclass(frozen=True)
class GateView:
    """A gate's answer: a headline and each reason in plain words."""

    permitted: bool
    answer: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class DocumentView:
    title: str | None
    sharing: GateView


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    action: str
    actor: str
    details: tuple[str, ...]


@dataclass(frozen=True)
class MeetingView:
    reference: str
    title: str | None
    starts_at: datetime
    ends_at: datetime
    status: str
    declared_role: str
    recording_requested: bool
    teams_recording: str
    needs_attention: str | None
    safeguarding_hold: bool
    attendees: tuple[AttendeeView, ...]
    recording: GateView
    role: GateView
    documents: tuple[DocumentView, ...]
    open_review_items: int
    audit: tuple[AuditLine, ...]
    removed_attendees: tuple[str | None, ...] = ()
    stated_role: str = ""
