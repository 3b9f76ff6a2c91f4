"""The consent request asks service users about liaison, naming each professional, in words for
an adult or for a young person; professionals are never asked, and a reply in the shown form
is read as meant."""

from __future__ import annotations

from dataclasses import replace

from bot.config import ServiceProfile
from bot.intake import classify_text
from bot.intake.guidance import answer_line
from domain.terms import Decision, Topic
from tests.mail.test_consent_request import PARENT, SENCO, YOUNG, meeting, render, service

__all__ = ["service"]

NAMED = ("Northshire SEND team, SEND officer", "Hillside Primary, SENCO")


def test_a_parent_is_asked_about_each_named_professional(service: ServiceProfile) -> None:
    request = render(PARENT, replace(meeting(), liaison_names=NAMED), service)
    assert request.topics[-1] is Topic.LIAISON
    assert "TALKING TO OTHER PROFESSIONALS" in request.text
    assert "May Priya Castellano talk to these professionals or organisations" in request.text
    for name in NAMED:
        assert f"    - {name}\n" in request.text
        assert f"<li>{name}</li>" in request.html
    assert "you can change your mind at any time" in request.text
    assert "        Liaison: no\n" in request.text, "the fourth example answer line"


def test_a_young_person_gets_simpler_words(service: ServiceProfile) -> None:
    request = render(YOUNG, replace(meeting(), liaison_names=NAMED[:1]), service)
    assert request.template_version == "consent-request/5/young_person"
    assert "TALKING TO OTHER PEOPLE WHO HELP YOU" in request.text
    assert "Can Priya Castellano talk to this person about you" in request.text
    assert "Northshire SEND team" in request.html


def test_professionals_are_not_asked_and_no_names_means_no_question(
    service: ServiceProfile,
) -> None:
    senco = render(SENCO, replace(meeting(), liaison_names=NAMED), service)
    assert Topic.LIAISON not in senco.topics
    assert "Hillside" not in senco.text
    parent = render(PARENT, meeting(), service)
    assert Topic.LIAISON not in parent.topics
    assert "TALKING TO OTHER" not in parent.text


def test_the_liaison_answer_line_is_read_as_meant() -> None:
    reading = classify_text(answer_line(Topic.LIAISON, agree=True))
    assert not reading.needs_review
    assert reading.decision(Topic.LIAISON) is Decision.GIVEN
    assert reading.decision(Topic.RECORDING) is None
