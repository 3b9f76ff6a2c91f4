"""The opening statement: who is here, what the service does, the role, recording, documents.

Policy ("Virtual Meetings"): staff "will state their role at the beginning of meetings";
"contribute" needs the service user's prior agreement; recording needs everyone's emailed
consent before the meeting; documents need prior consent.
"""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings

from bot.announcement.opening import Announcement, compose_announcement
from bot.policy.recording_gate import evaluate_recording
from bot.policy.role_statement import decide_role
from domain.terms import DeclaredRole, MeetingFacts
from tests.builders import PARENT as STORED_PARENT
from tests.builders import SENCO as STORED_SENCO
from tests.builders import a_meeting
from tests.policy.builders import meeting_facts

from .builders import (
    FAMILY,
    RECORDING_AGREED_WITH_DOCUMENTS,
    ROLE_SITUATIONS,
    SERVICE,
    STAFF_NAME,
)


def announce(facts: MeetingFacts, staff_name: str = STAFF_NAME) -> Announcement:
    return compose_announcement(
        SERVICE,
        staff_name,
        decide_role(facts),
        recording_permitted=evaluate_recording(facts).permitted,
        documents_proposed=bool(facts.documents),
    )


def everything_shown(announcement: Announcement) -> str:
    return "\n".join(
        (announcement.spoken, announcement.card.json_text, announcement.staff_notice or "")
    )


def test_it_says_who_is_here_and_what_the_service_does() -> None:
    spoken = announce(ROLE_SITUATIONS["support declared"]).spoken
    assert spoken.startswith(
        f"Hello. This is the automated meeting assistant of {SERVICE.name}, a computer voice, "
        f"speaking on behalf of {STAFF_NAME}."
    )
    assert f"{STAFF_NAME} from {SERVICE.name} is at this meeting." in spoken
    assert SERVICE.what_we_do in spoken


def test_the_card_says_it_comes_from_the_automated_assistant() -> None:
    card = announce(ROLE_SITUATIONS["support declared"]).card.json_text
    assert (
        f"From the automated meeting assistant of {SERVICE.short_name}, on behalf of {STAFF_NAME}."
        in card
    )


@pytest.mark.parametrize(
    ("situation", "stated_role"),
    [
        ("support declared", "is here to support the parent carer or young person."),
        (
            "contribution agreed",
            "is here to support the parent carer or young person, and to contribute to the "
            "discussion. The parent carer or young person agreed to this before the meeting.",
        ),
        ("young person did not reply", "is here to support the parent carer or young person."),
        ("parent refused", "is here to support the parent carer or young person."),
        ("no service user invited", "is here to support the parent carer or young person."),
    ],
)
def test_it_states_the_effective_role(situation: str, stated_role: str) -> None:
    assert f"{STAFF_NAME} {stated_role}" in announce(ROLE_SITUATIONS[situation]).spoken


@pytest.mark.parametrize("situation", ROLE_SITUATIONS)
def test_contribute_is_mentioned_only_when_it_is_the_stated_role(situation: str) -> None:
    facts = ROLE_SITUATIONS[situation]
    announcement = announce(facts)
    contributes = decide_role(facts).effective is DeclaredRole.SUPPORT_AND_CONTRIBUTE
    assert ("contribut" in announcement.spoken) is contributes
    assert ("contribut" in announcement.card.json_text) is contributes


@pytest.mark.parametrize(
    ("situation", "notice_opening"),
    [
        ("support declared", None),
        ("contribution agreed", None),
        ("young person did not reply", "Not every parent carer or young person invited"),
        ("parent refused", "Not every parent carer or young person invited"),
        ("no service user invited", "No parent carer or young person is invited"),
    ],
)
def test_staff_are_told_privately_when_their_contribution_cannot_be_stated(
    situation: str, notice_opening: str | None
) -> None:
    notice = announce(ROLE_SITUATIONS[situation]).staff_notice
    if notice_opening is None:
        assert notice is None
    else:
        assert notice is not None
        assert notice.startswith(notice_opening)
        assert "Please state your role as support, and keep to it" in notice


def test_recording_is_stated_as_permitted_only_with_everyones_prior_consent() -> None:
    permitted = announce(RECORDING_AGREED_WITH_DOCUMENTS)
    refused = announce(ROLE_SITUATIONS["support declared"])
    assert "So this meeting may be recorded." in permitted.spoken
    assert "must not be recorded" not in permitted.spoken
    assert "This meeting must not be recorded." in refused.spoken
    assert "may be recorded" not in refused.spoken
    assert "Recording: " in permitted.card.json_text
    assert "Permitted. Everyone invited agreed" in permitted.card.json_text
    assert "Not permitted." in refused.card.json_text


def test_documents_are_said_to_need_prior_consent_whether_or_not_any_are_proposed() -> None:
    consent = (
        "A document is shared only if the parent carer or young person agreed to it before the "
        "meeting."
    )
    proposed = announce(RECORDING_AGREED_WITH_DOCUMENTS)
    none_proposed = announce(ROLE_SITUATIONS["support declared"])
    assert f"Some documents may be shared in this meeting. {consent}" in proposed.spoken
    assert f"No documents are planned for this meeting. {consent}" in none_proposed.spoken
    assert consent in proposed.card.json_text
    assert consent in none_proposed.card.json_text


def test_the_phone_number_is_read_digit_by_digit_in_its_groups() -> None:
    spoken = announce(ROLE_SITUATIONS["support declared"]).spoken
    expected = "zero three zero zero, three seven three, three three zero zero"
    assert f"You can phone the service on {expected}." in spoken


def test_the_spoken_text_has_no_symbols_figures_or_addresses() -> None:
    spoken = announce(RECORDING_AGREED_WITH_DOCUMENTS).spoken
    assert re.fullmatch(r"[A-Za-z ,.']+", spoken)


def test_bracketed_asides_in_a_display_name_are_not_read_aloud() -> None:
    announcement = announce(
        ROLE_SITUATIONS["support declared"], "Priya Castellano (she/her) [IASS]"
    )
    assert "on behalf of Priya Castellano. Priya Castellano from " in announcement.spoken
    assert "(she/her)" not in announcement.spoken
    assert "Priya Castellano (she/her) [IASS] from" in announcement.card.json_text


def test_a_blank_staff_name_is_refused() -> None:
    with pytest.raises(ValueError, match="display name"):
        announce(ROLE_SITUATIONS["support declared"], "  ")


def test_no_one_else_and_nothing_about_the_case_is_mentioned() -> None:
    facts = RECORDING_AGREED_WITH_DOCUMENTS
    shown = everything_shown(announce(facts)) + everything_shown(
        announce(ROLE_SITUATIONS["young person did not reply"])
    )
    private_details = [
        *(attendee.id for attendee in FAMILY),
        *(document.id for document in facts.documents),
        a_meeting().title,
        STORED_PARENT.name,
        STORED_PARENT.email,
        STORED_SENCO.name,
        "Okafor",
    ]
    for detail in private_details:
        assert detail not in shown


@settings(max_examples=60, deadline=None)
@given(meeting_facts())
def test_any_meeting_names_only_the_staff_member_and_states_the_decided_role(
    facts: MeetingFacts,
) -> None:
    announcement = announce(facts)
    role = decide_role(facts)
    contributes = role.effective is DeclaredRole.SUPPORT_AND_CONTRIBUTE
    shown = everything_shown(announcement)
    for attendee in facts.attendees:
        assert attendee.id not in shown
    for document in facts.documents:
        assert document.id not in shown
    assert ("contribut" in announcement.spoken) is contributes
    assert ("contribut" in announcement.card.json_text) is contributes
    notice_expected = role.declared is DeclaredRole.SUPPORT_AND_CONTRIBUTE and not contributes
    assert (announcement.staff_notice is not None) is notice_expected
    json.loads(announcement.card.json_text)


def test_an_interpreter_is_named_by_role_never_by_name() -> None:
    """Issue 18, part 5: the service user's interpreter or supporter is mentioned by the role
    staff recorded, spoken and on the card; their name is not said."""
    facts = ROLE_SITUATIONS["support declared"]
    announcement = compose_announcement(
        SERVICE,
        STAFF_NAME,
        decide_role(facts),
        recording_permitted=False,
        documents_proposed=False,
        supporter_roles=("British Sign Language interpreter",),
    )
    assert (
        "The parent carer or young person's British Sign Language interpreter is also at this"
        " meeting, to support them." in announcement.spoken
    )
    assert "British Sign Language interpreter" in announcement.card.json_text
    assert "Also supporting them" in announcement.card.json_text
    without = announce(facts)
    assert "interpreter" not in everything_shown(without)
    assert "Also supporting them" not in without.card.json_text
