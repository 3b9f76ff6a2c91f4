"""What an edit of a scheduled meeting changes, and what must follow from it. Pure.

Staff say what the meeting should now be (a `NewMeeting`, checked by `meeting_request`); the
plan compares it with the meeting as stored: attendees are the same person when their address
(any case) and kind match, documents when their title and link match. What follows:

- the Teams meeting changes when the title, the time or the invitees do;
- new attendees are asked for consent; attendees already invited are asked again when they
  have a new question: everyone when recording is newly wanted, service users when documents
  are added, staff now want to contribute or name someone new to liaise with;
- when the time moves, attendees not asked again are told the new time;
- recording must be switched off in Teams before anything else when the gate, asked about
  the meeting as it will be, says no (a new attendee has not consented yet, say), so Teams
  never allows recording that consent does not cover.

A meeting that is cancelled, or has started, cannot be changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.policy.recording_gate import evaluate_recording
from consent_store.audit import DetailValue
from consent_store.records import IndividualNeeds, NewAttendee, NewDocument, NewMeeting
from domain.terms import (
    Attendee,
    AttendeeKind,
    DeclaredRole,
    MeetingFacts,
    ProposedDocument,
)

CANCELLED = "cancelled"


class MeetingNotChangeable(Exception):
    """The meeting cannot be edited or cancelled; the message says why, in plain words."""


@dataclass(frozen=True)
class StoredAttendee:
    id: str
    email: str
    kind: AttendeeKind


@dataclass(frozen=True)
class StoredDocument:
    id: str
    title: str
    url: str


@dataclass(frozen=True)
class StoredMeeting:
    """A meeting as stored, decrypted, with only the attendees and documents still in it."""

    status: str
    title: str
    starts_at: datetime
    ends_at: datetime
    declared_role: DeclaredRole
    recording_requested: bool
    attendees: tuple[StoredAttendee, ...]
    documents: tuple[StoredDocument, ...]
    started_at: datetime | None = None
    liaison: tuple[str, ...] = ()
    needs: IndividualNeeds = field(default_factory=IndividualNeeds)


@dataclass(frozen=True)
class ChangePlan:
    wanted: NewMeeting
    retitled: bool
    moved: bool
    role_changed: bool
    recording_changed: bool
    added_attendees: tuple[NewAttendee, ...]
    removed_attendees: tuple[str, ...]
    kept_attendees: tuple[str, ...]
    added_documents: tuple[NewDocument, ...]
    removed_documents: tuple[str, ...]
    ask_again: tuple[str, ...]
    liaison_added: tuple[str, ...] = ()
    liaison_removed: tuple[str, ...] = ()
    liaison_changed: bool = False
    needs_changed: bool = False

    @property
    def invitees_changed(self) -> bool:
        return bool(self.added_attendees or self.removed_attendees)

    @property
    def changes_teams(self) -> bool:
        return self.retitled or self.moved or self.invitees_changed

    @property
    def changed(self) -> bool:
        return (
            self.changes_teams
            or self.role_changed
            or self.recording_changed
            or bool(self.added_documents or self.removed_documents)
            or self.liaison_changed
            or self.needs_changed
        )

    @property
    def told_new_time(self) -> tuple[str, ...]:
        """Attendees already invited who are not asked again, when the time moved."""
        if not self.moved:
            return ()
        return tuple(a for a in self.kept_attendees if a not in self.ask_again)

    def audit_detail(self) -> dict[str, DetailValue]:
        """What changed, as flags and counts (no names, addresses or titles); the liaison
        list's counts only when it changed."""
        liaison: dict[str, DetailValue] = (
            {"liaison_added": len(self.liaison_added), "liaison_removed": len(self.liaison_removed)}
            if self.liaison_changed
            else {}
        )
        return {
            "title_changed": self.retitled,
            "moved": self.moved,
            "role": self.wanted.declared_role.value if self.role_changed else None,
            "recording_requested": (
                self.wanted.recording_requested if self.recording_changed else None
            ),
            "attendees_added": len(self.added_attendees),
            "attendees_removed": len(self.removed_attendees),
            "documents_added": len(self.added_documents),
            "documents_removed": len(self.removed_documents),
            **liaison,
            **({"needs_changed": True} if self.needs_changed else {}),
        }


def ensure_changeable(
    status: str, starts_at: datetime, now: datetime, started_at: datetime | None = None
) -> None:
    """Raise `MeetingNotChangeable` for a cancelled meeting, or one that has started: its
    scheduled start has passed, or it was seen starting (`started_at`), perhaps early."""
    if status == CANCELLED:
        raise MeetingNotChangeable("This meeting has been cancelled, so it cannot be changed.")
    if started_at is not None or starts_at <= now:
        raise MeetingNotChangeable(
            "This meeting has already started, so it can no longer be changed or cancelled."
        )


def _same_person(stored: StoredAttendee, wanted: NewAttendee) -> bool:
    return stored.email.lower() == wanted.email.lower() and stored.kind is wanted.kind


def plan_changes(stored: StoredMeeting, wanted: NewMeeting, now: datetime) -> ChangePlan:
    """The plan for turning `stored` into `wanted`; `MeetingNotChangeable` if it cannot be."""
    ensure_changeable(stored.status, stored.starts_at, now, stored.started_at)
    kept = [a for a in stored.attendees if any(_same_person(a, w) for w in wanted.attendees)]
    added = tuple(
        w for w in wanted.attendees if not any(_same_person(a, w) for a in stored.attendees)
    )
    stored_documents = {(d.title, d.url) for d in stored.documents}
    wanted_documents = {(d.title, d.url) for d in wanted.documents}
    added_documents = tuple(d for d in wanted.documents if (d.title, d.url) not in stored_documents)
    recording_newly_wanted = wanted.recording_requested and not stored.recording_requested
    contribution_newly_wanted = (
        wanted.declared_role is DeclaredRole.SUPPORT_AND_CONTRIBUTE
        and stored.declared_role is not DeclaredRole.SUPPORT_AND_CONTRIBUTE
    )
    liaison_added = tuple(name for name in wanted.liaison if name not in stored.liaison)
    service_users_asked = bool(added_documents) or contribution_newly_wanted or bool(liaison_added)
    return ChangePlan(
        wanted=wanted,
        retitled=wanted.title != stored.title,
        moved=(wanted.starts_at, wanted.ends_at) != (stored.starts_at, stored.ends_at),
        role_changed=wanted.declared_role is not stored.declared_role,
        recording_changed=wanted.recording_requested != stored.recording_requested,
        added_attendees=added,
        removed_attendees=tuple(a.id for a in stored.attendees if a not in kept),
        kept_attendees=tuple(a.id for a in kept),
        added_documents=added_documents,
        removed_documents=tuple(
            d.id for d in stored.documents if (d.title, d.url) not in wanted_documents
        ),
        ask_again=tuple(
            a.id
            for a in kept
            if recording_newly_wanted or (service_users_asked and a.kind.is_service_user)
        ),
        liaison_added=liaison_added,
        liaison_removed=tuple(name for name in stored.liaison if name not in wanted.liaison),
        liaison_changed=wanted.liaison != stored.liaison,
        needs_changed=wanted.needs != stored.needs,
    )


def facts_after(facts: MeetingFacts, plan: ChangePlan, now: datetime) -> MeetingFacts:
    """The gates' facts as they will be once the plan is applied (new attendees and documents
    under stand-in ids, with no decisions)."""
    removed_attendees = set(plan.removed_attendees)
    removed_documents = set(plan.removed_documents)
    return replace(
        facts,
        starts_at=plan.wanted.starts_at,
        declared_role=plan.wanted.declared_role,
        recording_requested=plan.wanted.recording_requested,
        attendees=(
            *(a for a in facts.attendees if a.id not in removed_attendees),
            *(Attendee(f"new-{n}", a.kind) for n, a in enumerate(plan.added_attendees)),
        ),
        decisions=tuple(d for d in facts.decisions if d.attendee_id not in removed_attendees),
        documents=(
            *(d for d in facts.documents if d.id not in removed_documents),
            *(ProposedDocument(f"new-{n}", now) for n in range(len(plan.added_documents))),
        ),
    )


def recording_must_close_first(
    facts: MeetingFacts, plan: ChangePlan, now: datetime, teams_allows: bool | None
) -> bool:
    """Whether Teams allows recording now but must not once the plan is applied."""
    return bool(teams_allows) and not evaluate_recording(facts_after(facts, plan, now)).permitted
