"""The easy-read consent request (issue 18, part 5): when the service user's individual needs
say easy read, parent carers and young people get it instead of the adult's or the young
person's wording; everyone else keeps theirs. Short sentences, one idea on each line, the
answer choices as a list, the reply instructions as numbered steps, and the same reply words
the intake reads. The interpreter or supporter is named by their role to the others."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import ServiceProfile
from bot.intake.classify import classify_text
from bot.mail.consent_request import (
    InvitedPerson,
    RequestRecipient,
    render_request,
    request_variant,
)
from domain.terms import AttendeeKind, Decision, Topic
from templates.audit_words import request_words
from tests.mail.test_consent_request import PARENT, SENCO, YOUNG, meeting, numbered_steps

ROLE = "British Sign Language interpreter"
EASY = replace(
    meeting(),
    easy_read=True,
    invited=(
        *(InvitedPerson(p.name, p.kind) for p in (PARENT, YOUNG, SENCO)),
        InvitedPerson("Morgan Ashe", AttendeeKind.PROFESSIONAL, ROLE),
    ),
)


@pytest.fixture
def service(env_without_iass: Path) -> ServiceProfile:
    return ServiceProfile()


@pytest.mark.parametrize(
    ("recipient", "easy_read", "expected"),
    [
        (PARENT, True, "easy_read"),
        (YOUNG, True, "easy_read"),
        (SENCO, True, "adult"),
        (PARENT, False, "adult"),
        (YOUNG, False, "young_person"),
    ],
)
def test_who_gets_easy_read(recipient: RequestRecipient, easy_read: bool, expected: str) -> None:
    about = replace(meeting(), easy_read=easy_read)
    assert request_variant(recipient, about) == expected


def test_the_easy_read_request_says_one_thing_on_each_line(service: ServiceProfile) -> None:
    rendered = render_request(PARENT, EASY, service, "iass.example.com")
    assert rendered is not None
    assert rendered.template_version.endswith("/easy_read")
    assert request_words(rendered.template_version) == (
        "the consent request in easy read (version 5)"
    )
    body = rendered.text.split("HOW TO ANSWER")[0]
    sentences = [line.strip() for line in body.splitlines() if line.strip().endswith((".", "?"))]
    assert sentences
    assert all(len(line.split()) <= 16 for line in sentences), sentences
    assert all(line.count(". ") == 0 for line in sentences), "one sentence on each line"
    assert f"Morgan Ashe ({ROLE})" in rendered.text
    assert '- "Yes" means yes to everything.' in rendered.text
    assert '- "No" means no to everything.' in rendered.text
    steps = numbered_steps(rendered.html)
    assert steps[0] == "Reply to this email."
    assert len(steps) == 4
    shown = [line.strip() for line in rendered.text.splitlines() if line.strip().endswith(": no")]
    reading = classify_text("\n".join([*shown, "Recording: yes"]))
    assert not reading.needs_review
    assert reading.decision(Topic.RECORDING) is Decision.GIVEN
    assert classify_text('"Yes"').decision(Topic.DOCUMENTS) is Decision.GIVEN


def test_a_professional_is_not_sent_easy_read(service: ServiceProfile) -> None:
    rendered = render_request(SENCO, EASY, service, "iass.example.com")
    assert rendered is not None
    assert rendered.template_version.endswith("/adult")
    assert f"Morgan Ashe ({ROLE})" in rendered.text
