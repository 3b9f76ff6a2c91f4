"""What an edit changes and what follows: who is asked again, who is told a new time, when
Teams must change and when recording must be switched off first."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.services.change_plan import (
    MeetingNotChangeable,
    StoredAttendee,
    StoredDocument,
    StoredMeeting,
    facts_after,
    plan_changes,
    recording_must_close_first,
)
from consent_store.records import NewAttendee, NewDocument, NewMeeting
from domain.terms import (
    Attendee,
    AttendeeKind,
    AuthVerdict,
    ConsentRecord,
    Decision,
    DeclaredRole,
    MeetingFacts,
    ProposedDocument,
    Topic,
)

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
START = datetime(2026, 11, 10, 10, 0, tzinfo=UTC)
PARENT = StoredAttendee("a-parent", "Parent@Example.org", AttendeeKind.PARENT_CARER)
SENCO = StoredAttendee("a-senco", "senco@example.net", AttendeeKind.PROFESSIONAL)
REPORT = StoredDocument("d-report", "School report", "https://example.com/report.docx")
STORED = StoredMeeting(
    status="scheduled",
    title="Planning meeting",
    starts_at=START,
    ends_at=START + timedelta(hours=1),
    declared_role=DeclaredRole.SUPPORT,
    recording_requested=True,
    attendees=(PARENT, SENCO),
    documents=(REPORT,),
)
OFFICER = NewAttendee("Dev Marsh", "dev.marsh@example.org", AttendeeKind.PROFESSIONAL)
PLAN = NewDocument("Draft plan", "https://example.com/plan.docx")


def as_new(attendee: StoredAttendee) -> NewAttendee:
    return NewAttendee("Someone", attendee.email, attendee.kind)


def unchanged() -> NewMeeting:
    return NewMeeting(
        title=STORED.title,
        starts_at=STORED.starts_at,
        ends_at=STORED.ends_at,
        organiser_user_id="organiser",
        declared_role=STORED.declared_role,
        recording_requested=STORED.recording_requested,
        attendees=(as_new(PARENT), as_new(SENCO)),
        documents=(NewDocument(REPORT.title, REPORT.url),),
    )


def consented_facts(*attendees: str) -> MeetingFacts:
    return MeetingFacts(
        starts_at=START,
        attendees=(
            Attendee(PARENT.id, PARENT.kind),
            Attendee(SENCO.id, SENCO.kind),
        ),
        decisions=tuple(
            ConsentRecord(
                attendee_id=a,
                topic=Topic.RECORDING,
                decision=Decision.GIVEN,
                received_at=NOW,
                auth=AuthVerdict.PASS,
                sender_matches=True,
            )
            for a in attendees
        ),
        declared_role=DeclaredRole.SUPPORT,
        recording_requested=True,
        documents=(ProposedDocument(REPORT.id, NOW),),
    )


def test_the_same_meeting_is_no_change_whatever_the_case_of_an_address() -> None:
    wanted = replace(
        unchanged(), attendees=(as_new(replace(PARENT, email="parent@example.org")), as_new(SENCO))
    )
    plan = plan_changes(STORED, wanted, NOW)
    assert not plan.changed
    assert not plan.changes_teams
    assert plan.kept_attendees == (PARENT.id, SENCO.id)


def test_a_new_attendee_is_added_and_changes_the_invitees_only() -> None:
    plan = plan_changes(
        STORED, replace(unchanged(), attendees=(*unchanged().attendees, OFFICER)), NOW
    )
    assert plan.added_attendees == (OFFICER,)
    assert (plan.invitees_changed, plan.changes_teams, plan.moved) == (True, True, False)
    assert plan.ask_again == ()
    assert plan.told_new_time == ()


def test_a_changed_kind_is_a_different_attendee() -> None:
    young_person = NewAttendee("Someone", SENCO.email, AttendeeKind.YOUNG_PERSON)
    plan = plan_changes(STORED, replace(unchanged(), attendees=(as_new(PARENT), young_person)), NOW)
    assert plan.removed_attendees == (SENCO.id,)
    assert plan.added_attendees == (young_person,)


def test_moving_tells_those_not_asked_again_and_changes_teams() -> None:
    later = START + timedelta(days=1)
    plan = plan_changes(
        STORED, replace(unchanged(), starts_at=later, ends_at=later + timedelta(hours=1)), NOW
    )
    assert plan.moved
    assert plan.changes_teams
    assert plan.told_new_time == (PARENT.id, SENCO.id)
    assert plan.audit_detail()["moved"] is True


def test_recording_newly_wanted_asks_everyone_again() -> None:
    stored = replace(STORED, recording_requested=False)
    plan = plan_changes(stored, unchanged(), NOW)
    assert plan.recording_changed
    assert not plan.changes_teams
    assert plan.ask_again == (PARENT.id, SENCO.id)
    assert plan.audit_detail()["recording_requested"] is True


@pytest.mark.parametrize(
    ("stored", "wanted"),
    [
        (STORED, replace(unchanged(), documents=(*unchanged().documents, PLAN))),
        (STORED, replace(unchanged(), declared_role=DeclaredRole.SUPPORT_AND_CONTRIBUTE)),
    ],
    ids=["a document added", "contribution newly wanted"],
)
def test_a_new_question_for_service_users_asks_only_them_again(
    stored: StoredMeeting, wanted: NewMeeting
) -> None:
    plan = plan_changes(stored, wanted, NOW)
    assert plan.ask_again == (PARENT.id,)


def test_removing_documents_or_dropping_contribution_asks_no_one() -> None:
    stored = replace(STORED, declared_role=DeclaredRole.SUPPORT_AND_CONTRIBUTE)
    plan = plan_changes(stored, replace(unchanged(), documents=()), NOW)
    assert plan.removed_documents == (REPORT.id,)
    assert plan.role_changed
    assert plan.ask_again == ()
    assert plan.audit_detail()["documents_removed"] == 1


def test_a_retitled_meeting_changes_teams() -> None:
    plan = plan_changes(STORED, replace(unchanged(), title="Annual review"), NOW)
    assert plan.retitled
    assert plan.changes_teams
    assert plan.audit_detail()["title_changed"] is True


@pytest.mark.parametrize(
    ("status", "now", "words"),
    [
        ("cancelled", NOW, "has been cancelled"),
        ("scheduled", START, "already started"),
        ("scheduled", START + timedelta(days=1), "already started"),
    ],
)
def test_a_cancelled_or_started_meeting_cannot_be_changed(
    status: str, now: datetime, words: str
) -> None:
    with pytest.raises(MeetingNotChangeable, match=words):
        plan_changes(replace(STORED, status=status), unchanged(), now)


def test_a_meeting_seen_starting_early_cannot_be_changed_before_its_scheduled_start() -> None:
    started_early = replace(STORED, started_at=NOW)
    with pytest.raises(MeetingNotChangeable, match="already started"):
        plan_changes(started_early, unchanged(), NOW)


def test_facts_after_count_new_people_without_consent_and_forget_removed_ones() -> None:
    plan = plan_changes(
        STORED,
        replace(unchanged(), attendees=(as_new(PARENT), OFFICER), documents=(PLAN,)),
        NOW,
    )
    after = facts_after(consented_facts(PARENT.id, SENCO.id), plan, NOW)
    assert [a.kind for a in after.attendees] == [PARENT.kind, OFFICER.kind]
    assert {d.attendee_id for d in after.decisions} == {PARENT.id}
    assert [d.id for d in after.documents] == ["new-0"]


def test_recording_closes_first_only_when_teams_allows_it_and_the_change_breaks_consent() -> None:
    everyone = consented_facts(PARENT.id, SENCO.id)
    adding = plan_changes(
        STORED, replace(unchanged(), attendees=(*unchanged().attendees, OFFICER)), NOW
    )
    assert recording_must_close_first(everyone, adding, NOW, teams_allows=True)
    assert not recording_must_close_first(everyone, adding, NOW, teams_allows=False)
    retitling = plan_changes(STORED, replace(unchanged(), title="Annual review"), NOW)
    assert not recording_must_close_first(everyone, retitling, NOW, teams_allows=True)
    not_wanted = plan_changes(STORED, replace(unchanged(), recording_requested=False), NOW)
    assert recording_must_close_first(everyone, not_wanted, NOW, teams_allows=True)
