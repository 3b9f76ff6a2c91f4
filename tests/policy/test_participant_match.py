"""Matching someone in a meeting to the invited attendees: the bot is ignored, the organiser is
staff, everyone else must be an invited attendee by display name, or the gate closes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.policy.participant_match import (
    InvitedAttendee,
    MatchKind,
    PersonMatch,
    SeenPerson,
    UnknownReason,
    comparable_name,
    match_person,
)

BOT_APP_ID = "3f9a7c2e-8b41-4d6e-a5f0-1c2d3e4f5a6b"
ORGANISER = "11111111-aaaa-4bbb-8ccc-000000000001"
COLLEAGUE = "11111111-aaaa-4bbb-8ccc-000000000002"
GUEST = "11111111-aaaa-4bbb-8ccc-0000000000a1"

PARENT = InvitedAttendee("a-parent", "Alex Carter")
SENCO = InvitedAttendee("a-senco", "Jo Whitfield")
GUEST_PROFESSIONAL = InvitedAttendee("a-guest", "Morgan Hale")
ACCENTED = InvitedAttendee("a-accented", "Zoë Ólafsdóttir")
INVITED = (PARENT, SENCO, GUEST_PROFESSIONAL, ACCENTED)


def anonymous(name: str) -> SeenPerson:
    return SeenPerson("29:1anonymous", name, None)


def tenant_account(object_id: str, name: str) -> SeenPerson:
    return SeenPerson("29:1account", name, object_id)


def match(person: SeenPerson, attendees: tuple[InvitedAttendee, ...] = INVITED) -> PersonMatch:
    return match_person(person, bot_app_id=BOT_APP_ID, organiser_id=ORGANISER, attendees=attendees)


ATTENDEE = MatchKind.ATTENDEE
NO_MATCH = PersonMatch(MatchKind.UNKNOWN, reason=UnknownReason.NO_MATCH)
AMBIGUOUS = PersonMatch(MatchKind.UNKNOWN, reason=UnknownReason.AMBIGUOUS)


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        pytest.param(
            SeenPerson(f"28:{BOT_APP_ID}", "IASS companion", None),
            PersonMatch(MatchKind.BOT),
            id="the bot by its 28: id",
        ),
        pytest.param(
            SeenPerson("participant-1", "IASS companion", BOT_APP_ID.upper()),
            PersonMatch(MatchKind.BOT),
            id="the bot by its app id, any case",
        ),
        pytest.param(
            tenant_account(ORGANISER, "Priya Raman"),
            PersonMatch(MatchKind.ORGANISER),
            id="the organiser by object id",
        ),
        pytest.param(
            tenant_account(ORGANISER.upper(), "Alex Carter"),
            PersonMatch(MatchKind.ORGANISER),
            id="the organiser whatever their name shows",
        ),
        pytest.param(
            anonymous("Priya Raman"),
            NO_MATCH,
            id="the organiser's name without the object id is not the organiser",
        ),
        pytest.param(
            tenant_account(COLLEAGUE, "Tom Ellery"),
            NO_MATCH,
            id="an uninvited colleague of the tenant",
        ),
        pytest.param(
            tenant_account(GUEST, "Dev Marsh"),
            NO_MATCH,
            id="an uninvited tenant guest",
        ),
        pytest.param(
            tenant_account(GUEST, "Morgan Hale"),
            PersonMatch(ATTENDEE, attendee_id="a-guest"),
            id="an invited tenant guest by name",
        ),
        pytest.param(
            anonymous("Alex Carter"),
            PersonMatch(ATTENDEE, attendee_id="a-parent"),
            id="an invited parent joining anonymously",
        ),
        pytest.param(
            anonymous("  alex   CARTER "),
            PersonMatch(ATTENDEE, attendee_id="a-parent"),
            id="case and spaces do not matter",
        ),
        pytest.param(
            anonymous("AlexCarter"),
            PersonMatch(ATTENDEE, attendee_id="a-parent"),
            id="spaces left out do not matter",
        ),
        pytest.param(
            anonymous("Zoe Olafsdottir"),
            PersonMatch(ATTENDEE, attendee_id="a-accented"),
            id="accents left out do not matter",
        ),
        pytest.param(
            anonymous("ZOË ÓLAFSDÓTTIR"),
            PersonMatch(ATTENDEE, attendee_id="a-accented"),
            id="accented capitals",
        ),
        pytest.param(
            anonymous("Zoe\u0308 Olafsdottir"),
            PersonMatch(ATTENDEE, attendee_id="a-accented"),
            id="accents written as combining marks",
        ),
        pytest.param(anonymous("Alex"), NO_MATCH, id="part of a name is no match"),
        pytest.param(anonymous("Alex Carter-Smith"), NO_MATCH, id="a longer name is no match"),
        pytest.param(anonymous("Guest"), NO_MATCH, id="a stranger"),
        pytest.param(anonymous(""), NO_MATCH, id="no name at all"),
        pytest.param(anonymous("   "), NO_MATCH, id="a blank name"),
    ],
)
def test_who_someone_is(person: SeenPerson, expected: PersonMatch) -> None:
    assert match(person) == expected


def test_a_name_two_attendees_share_is_unknown() -> None:
    namesake = InvitedAttendee("a-namesake", "ALEX CARTER")
    assert match(anonymous("Alex Carter"), (PARENT, namesake)) == AMBIGUOUS


def test_with_no_attendees_everyone_but_the_organiser_and_bot_is_unknown() -> None:
    assert match(anonymous("Alex Carter"), ()) == NO_MATCH
    assert match(tenant_account(ORGANISER, "Priya Raman"), ()).kind is MatchKind.ORGANISER


def test_an_attendee_without_a_readable_name_matches_no_one() -> None:
    nameless = InvitedAttendee("a-nameless", "")
    assert match(anonymous(""), (nameless,)) == NO_MATCH


names = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)
ascii_names = st.text(st.characters(codec="ascii", categories=["Lu", "Ll", "Zs"]), max_size=30)


@given(names)
def test_comparing_names_is_stable_and_ignores_surrounding_space(name: str) -> None:
    compared = comparable_name(name)
    assert comparable_name(compared) == compared
    assert comparable_name(f"  {name}\t ") == compared
    assert not any(c.isspace() for c in compared)


@given(ascii_names)
def test_comparing_names_ignores_case_and_spacing(name: str) -> None:
    assert comparable_name(name.upper()) == comparable_name(name.lower().replace(" ", ""))


@given(names.filter(lambda n: comparable_name(n) != ""))
def test_someone_giving_an_attendees_exact_name_is_that_attendee(name: str) -> None:
    assert match(anonymous(name), (InvitedAttendee("a-1", name),)) == PersonMatch(
        ATTENDEE, attendee_id="a-1"
    )
