"""Every email the bot sends is written so the person it goes to can read it (issue 18): its
prose scores at least the Flesch reading ease its reader needs, measured with textstat on the
email as the code that sends it renders it with realistic values (the cases of
`test_email_structure`, which holds that every email template is among them, so a new template
is measured as soon as it is sent).

60 is plain English an adult reads easily: the emails worded for adults (a young person gets
their own wording of those) need it. A young person's email, the easy-read one, and any email
sent in the same words to everyone we write to (young people among them: the reminder, the
receipts, a meeting's new time) need 70. Emails to staff and to the professionals who work with
us need 50. A template that scores less is rewritten in plainer words; the floor is not
lowered.

The prose is the plain-text part as a person reads it (the HTML part says the same, word for
word, as `test_email_structure` checks): the section titles, the indented lines (the meeting's
details, lists of names and documents, the exact lines to write back) and the numbers of the
steps are not sentences, so they are left out; but a list item written as words to read (what
a receipt says was recorded, which word to write for which answer) is a sentence. Each address,
web link, phone number and reference counts as one short word, since a reader does not read
them as words. Each line of prose is read as a sentence of its own (a greeting, a step, the
service's name at the end).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pytest
import textstat

from tests.mail.test_email_structure import CASES, Sent, reading
from tests.mail.test_email_structure import emails as emails  # the fixture: every email sent

ADULT = 60.0
YOUNG = 70.0
PROFESSIONAL = 50.0

#: Emails read by staff or by a professional outside the service, not by the people we support.
FOR_PROFESSIONALS = ("organiser notice", "recording alert", "legal extract")
#: Emails worded for adults, with a young person's wording of their own.
FOR_ADULTS = (
    "consent request, adult",
    "consent request, one question",
    "legal request permission, adult",
    "legal answer receipt, adult",
)

NOT_WORDS = re.compile(
    r"https?://\S+"  # web links
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # email addresses
    r"|\b0\d{3,4}(?: \d{3,4}){1,2}\b"  # UK phone numbers
    r"|\b[A-Z]{2,4}-[0-9A-Z]{6,}\b"  # our references (IASS-7K3M9Q2P, LR-7K3M9Q2P)
)

#: An item of a list written as words to read ("- you agreed to recording the meeting"), not
#: naming something (a person, a document, a meeting).
PROSE_ITEM = re.compile(r"\s+- ([a-z].*)")


def floor(case: str) -> float:
    """The reading ease the email's reader needs."""
    if case.startswith(FOR_PROFESSIONALS):
        return PROFESSIONAL
    if case.startswith(FOR_ADULTS):
        return ADULT
    return YOUNG


def prose(email: Sent) -> str:
    """The sentences a person reads in the email, one line of prose to a sentence."""
    text = email.text if email.text is not None else "\n".join(reading(email.html).words)
    sentences = []
    for line in text.splitlines():
        said = PROSE_ITEM.fullmatch(line)
        if said:
            line = said[1]
        elif not line.strip() or line[0].isspace() or line == line.upper():
            continue
        words = NOT_WORDS.sub("it", re.sub(r"^\d+\. ", "", line)).strip()
        if not re.search("[a-z]", NOT_WORDS.sub("", line)):
            continue
        sentences.append(words if words[-1] in ".?!" else words.rstrip(",:;") + ".")
    return "\n".join(sentences)


def ease(text: str) -> float:
    return round(float(textstat.flesch_reading_ease(text)), 1)


def test_prose_leaves_out_what_is_not_read_as_words() -> None:
    email = Sent(
        "example",
        "Dear Ann Smith,\n\nMEETING\n    Annual review, Tuesday 10 November 2026\n"
        '1. Reply to this email.\n    - to agree: "Yes"\n    - Draft EHC plan section F\n'
        "2. Call 01632 960 123 or write to help@example.org\n"
        "See https://example.org/privacy about IASS-7K3M9Q2P.\n\nFellside SENDIASS\n",
        "",
        (),
    )
    assert prose(email).splitlines() == [
        "Dear Ann Smith.",
        "Reply to this email.",
        'to agree: "Yes".',
        "Call it or write to it.",
        "See it about it.",
        "Fellside SENDIASS.",
    ]


def test_the_measure_tells_plain_words_from_hard_ones() -> None:
    plain = "We will record the meeting only if you say yes. You can say no. We will still help."
    hard = (
        "Notwithstanding the foregoing, authorisation of the audiovisual documentation of "
        "proceedings is conditional upon the unanimous affirmative consent of participants."
    )
    assert ease(plain) >= YOUNG
    assert ease(hard) < PROFESSIONAL


def test_every_email_has_a_reader() -> None:
    """The floors fall where they should: the requests that matter most are named."""
    assert floor("consent request, adult") == ADULT
    assert floor("consent request, young person") == YOUNG
    assert floor("consent request, easy read") == YOUNG
    assert floor("reminder") == YOUNG
    assert floor("legal answer receipt, adult, no") == ADULT
    assert floor("organiser notice, recording allowed") == PROFESSIONAL
    assert {floor(case) for case in CASES} == {ADULT, YOUNG, PROFESSIONAL}


@pytest.mark.parametrize("case", CASES)
def test_the_email_is_easy_enough_to_read(case: str, emails: Mapping[str, Sent]) -> None:
    text = prose(emails[case])
    score = ease(text)
    hardest = sorted(
        text.splitlines(), key=lambda sentence: ease(sentence) if len(sentence) > 30 else 200
    )[:3]
    assert score >= floor(case), (
        f"{case} ({emails[case].template}): Flesch reading ease {score}, needs {floor(case)}; "
        f"the hardest sentences: {hardest}"
    )
