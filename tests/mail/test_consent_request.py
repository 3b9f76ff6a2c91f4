"""The consent request says what is asked of whom, in plain words, and is hashed as sent."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bot.config import ServiceProfile
from bot.intake import ConsentReply, classify_email
from bot.intake.classify import classify_text
from bot.mail.consent_request import (
    InvitedPerson,
    RenderedRequest,
    RequestedMeeting,
    RequestRecipient,
    render_request,
    topics_to_ask,
)
from domain.terms import AttendeeKind, Decision, DeclaredRole, Topic

START = datetime(2026, 11, 10, 10, 0, tzinfo=UTC)
PARENT = RequestRecipient(
    "Rhiannon Okafor-Bell", "rhiannon.okafor@example.org", AttendeeKind.PARENT_CARER
)
YOUNG = RequestRecipient("Kai Okafor-Bell", "kai@example.org", AttendeeKind.YOUNG_PERSON)
SENCO = RequestRecipient(
    "Tomasz Wielgosz", "t.wielgosz@school.example.net", AttendeeKind.PROFESSIONAL
)


def meeting(
    *,
    recording: bool = True,
    documents: tuple[str, ...] = ("Draft EHC plan section F", "School report"),
    role: DeclaredRole = DeclaredRole.SUPPORT_AND_CONTRIBUTE,
    starts_at: datetime = START,
) -> RequestedMeeting:
    return RequestedMeeting(
        reference="IASS-7K3M9Q2P",
        title="Annual review for Kai",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        staff_name="Priya Castellano",
        declared_role=role,
        recording_requested=recording,
        document_titles=documents,
        invited=tuple(InvitedPerson(p.name, p.kind) for p in (PARENT, YOUNG, SENCO)),
    )


@pytest.fixture
def service(env_without_iass: Path) -> ServiceProfile:
    return ServiceProfile()


def render(
    recipient: RequestRecipient, about: RequestedMeeting, service: ServiceProfile
) -> RenderedRequest:
    rendered = render_request(recipient, about, service, "iass.example.com")
    assert rendered is not None
    return rendered


@pytest.mark.parametrize(
    ("recipient", "about", "expected"),
    [
        (PARENT, meeting(), (Topic.RECORDING, Topic.DOCUMENTS, Topic.CONTRIBUTION)),
        (YOUNG, meeting(), (Topic.RECORDING, Topic.DOCUMENTS, Topic.CONTRIBUTION)),
        (SENCO, meeting(), (Topic.RECORDING,)),
        (PARENT, meeting(recording=False), (Topic.DOCUMENTS, Topic.CONTRIBUTION)),
        (PARENT, meeting(documents=()), (Topic.RECORDING, Topic.CONTRIBUTION)),
        (PARENT, meeting(role=DeclaredRole.SUPPORT), (Topic.RECORDING, Topic.DOCUMENTS)),
        (SENCO, meeting(recording=False), ()),
    ],
)
def test_who_is_asked_what(
    recipient: RequestRecipient, about: RequestedMeeting, expected: tuple[Topic, ...]
) -> None:
    assert topics_to_ask(recipient, about) == expected


def test_nothing_to_ask_means_no_email(service: ServiceProfile) -> None:
    assert render_request(SENCO, meeting(recording=False), service, "iass.example.com") is None


def test_a_parent_is_asked_every_question_with_each_document_named(service: ServiceProfile) -> None:
    request = render(PARENT, meeting(), service)
    assert (
        request.subject
        == "Your meeting with Westmorland and Furness SEND IASS: please reply [IASS-7K3M9Q2P]"
    )
    for part in (request.text, request.html):
        assert "Dear Rhiannon Okafor-Bell" in part
        assert "Tuesday 10 November 2026, 10:00 to 11:00 (GMT)" in part
        assert "May we record the meeting?" in part
        assert "Draft EHC plan section F" in part
        assert "School report" in part
        assert "also contribute to the discussion" in part
        assert "I withdraw my consent" in part
        assert "rhiannon.okafor@example.org" in part
        assert "0300 373 3300" in part
        assert "Annual review for Kai" in part
        assert "Kai Okafor-Bell (young person)" in part
        assert "Tomasz Wielgosz (professional)" in part
        assert "Rhiannon Okafor-Bell (" not in part
        assert "automated meeting assistant (a computer program, not a person)" in part
        assert "Saying no will not affect the support you get from us" in part
        assert "the meeting will still go ahead" in part
        assert "deleted after 120 days" in part
        assert "Only the people at the meeting would see them" in part
        assert "https://sendiass.westmorlandandfurness.gov.uk" in part
        assert "Until then we take your answer as no" not in part
        assert "Only a reply from" not in part
    assert request.template_version == "consent-request/5/adult"
    assert re.fullmatch(r"<[0-9a-f]{32}\.iass-7k3m9q2p@iass\.example\.com>", request.message_id)


def test_a_professional_is_asked_only_about_recording(service: ServiceProfile) -> None:
    request = render(SENCO, meeting(), service)
    assert "May we record the meeting?" in request.text
    for part in (request.text, request.html):
        assert "your answer to one question" in part
        assert "agree to everything" not in part
        assert "to say no: " in part
    assert "Draft EHC plan" not in request.text + request.html
    assert "contribute" not in request.text + request.html


def test_a_young_person_gets_simpler_words(service: ServiceProfile) -> None:
    request = render(YOUNG, meeting(), service)
    assert request.template_version == "consent-request/5/young_person"
    assert request.text.startswith("Hi Kai Okafor-Bell,")
    assert "Can we record the meeting?" in request.text
    assert "You can say yes or no to each one." in request.text
    for part in (request.text, request.html):
        assert "Annual review for Kai" in part
        assert "A computer program (not a person) will join the meeting" in part
        assert "we will still help you in the same way" in part
        assert "privacy notice" in part
        assert "take it as no" not in part


def test_the_privacy_notice_comes_from_the_configuration(
    env_without_iass: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IASS_SERVICE_PRIVACY_URL", "https://example.gov.uk/privacy")
    monkeypatch.setenv("IASS_SERVICE_RECORDING_KEPT_FOR", "30 days")
    request = render(PARENT, meeting(), ServiceProfile())
    assert "privacy notice: https://example.gov.uk/privacy" in request.text
    assert '<a href="https://example.gov.uk/privacy">privacy notice</a>' in request.html
    assert "deleted after 30 days" in request.text


def test_summer_times_are_shown_as_british_summer_time(service: ServiceProfile) -> None:
    request = render(PARENT, meeting(starts_at=datetime(2026, 7, 1, 13, 30, tzinfo=UTC)), service)
    assert "Wednesday 1 July 2026, 14:30 to 15:30 (BST)" in request.text


def test_the_hash_records_exactly_what_was_sent(service: ServiceProfile) -> None:
    first, again = render(PARENT, meeting(), service), render(PARENT, meeting(), service)
    other = render(PARENT, meeting(documents=("Another report",)), service)
    assert first.text_sha256 == again.text_sha256
    assert first.message_id != again.message_id
    assert other.text_sha256 != first.text_sha256


def test_html_escapes_names_and_titles(service: ServiceProfile) -> None:
    hostile = RequestRecipient("<b>Lee</b> & co", "lee@example.org", AttendeeKind.PARENT_CARER)
    request = render(hostile, meeting(documents=("<script>x</script>",)), service)
    assert "<b>Lee</b>" not in request.html
    assert "&lt;b&gt;Lee&lt;/b&gt; &amp; co" in request.html
    assert "<script>x</script>" not in request.html
    assert "<b>Lee</b> & co" in request.text


def test_the_example_answers_shown_are_read_as_meant(service: ServiceProfile) -> None:
    request = render(PARENT, meeting(), service)
    shown = [
        line.strip() for line in request.text.splitlines() if ": yes" in line or ": no" in line
    ]
    assert shown == ["Recording: yes", "Documents: no", "Contribution: yes"]
    reading = classify_text("\n".join(shown))
    assert not reading.needs_review
    assert {topic: reading.decision(topic) for topic in Topic} == {
        Topic.RECORDING: Decision.GIVEN,
        Topic.DOCUMENTS: Decision.REFUSED,
        Topic.CONTRIBUTION: Decision.GIVEN,
        Topic.LIAISON: None,
    }
    assert classify_text('"Yes"').decision(Topic.RECORDING) is Decision.GIVEN


class _Steps(HTMLParser):
    """The words of each step of the first numbered list, nested lists included."""

    def __init__(self) -> None:
        super().__init__()
        self.steps: list[str] = []
        self._lists: list[str] = []
        self._done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("ol", "ul") and not self._done:
            self._lists.append(tag)
        elif tag == "li" and self._lists == ["ol"]:
            self.steps.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ol", "ul") and self._lists:
            self._lists.pop()
            self._done = self._done or (tag == "ol" and not self._lists)

    def handle_data(self, data: str) -> None:
        if self._lists and self._lists[0] == "ol" and self.steps:
            self.steps[-1] += data


STRAIGHT_QUOTES = str.maketrans("“”", '""')


def numbered_steps(html: str) -> list[str]:
    parser = _Steps()
    parser.feed(html)
    return [" ".join(step.split()) for step in parser.steps]


@pytest.mark.parametrize(
    ("recipient", "at_the_top", "answers"),
    [
        (
            PARENT,
            "At the top, above our message, write one of these answers:",
            (
                "to agree to everything: “Yes”",
                "to agree to nothing: “No”",
                "to answer each part on its own, one line for each part, like this:",
                "Recording: yes Documents: no Contribution: yes",
            ),
        ),
        (
            YOUNG,
            "At the top, write one of these answers:",
            (
                "to say yes to everything: “Yes”",
                "to say no to everything: “No”",
                "or one line for each part, like this:",
                "Recording: yes Documents: no Contribution: yes",
            ),
        ),
        (
            SENCO,
            "At the top, above our message, write one of these answers:",
            ("to agree: “Yes”", "to say no: “No”"),
        ),
    ],
    ids=["adult", "young person", "one question"],
)
def test_how_to_answer_is_three_short_numbered_steps(
    recipient: RequestRecipient,
    at_the_top: str,
    answers: tuple[str, ...],
    service: ServiceProfile,
) -> None:
    request = render(recipient, meeting(), service)
    send_it = f"Send it from {recipient.email}, the address we wrote to, before the meeting starts."
    reply, choose, send = numbered_steps(request.html)
    assert (reply, send) == ("Reply to this email.", send_it)
    assert choose == " ".join((at_the_top, *answers))
    lines = [line.strip() for line in request.text.splitlines()]
    steps = ["1. Reply to this email.", f"2. {at_the_top}", f"3. {send_it}"]
    assert [line for line in lines if re.match(r"\d\. ", line)] == steps
    shown = lines[lines.index(steps[1]) + 1 : lines.index(steps[2])]
    assert " ".join(line.removeprefix("- ") for line in shown) == " ".join(answers).translate(
        STRAIGHT_QUOTES
    )
    text = request.text
    if recipient is YOUNG:
        assert "That way we know the answer is really from you." in lines
        assert "write it in your reply and someone will get in touch" in text
    else:
        assert (
            "We cannot count an answer from another address, or one that arrives after the "
            "meeting has started." in text
        )
        assert "a member of staff will read it and contact you" in text


def quoted_in_gmail(own: str, request: RenderedRequest) -> tuple[str, str | None]:
    quote = "\n".join(f"> {line}".rstrip() for line in request.text.splitlines())
    wrote = "On Tue, 3 Nov 2026 at 10:02, SEND IASS <consent@iass.example.com> wrote:"
    return f"{own}\n\n{wrote}\n\n{quote}\n", None


def quoted_in_outlook(own: str, request: RenderedRequest) -> tuple[str, str | None]:
    header = (
        "________________________________\n"
        "From: Westmorland and Furness SEND IASS <consent@iass.example.com>\n"
        "Sent: 03 November 2026 10:02\n"
        f"Subject: {request.subject}\n"
    )
    return f"{own}\n\n{header}\n{request.text}", None


def quoted_in_outlook_html(own: str, request: RenderedRequest) -> tuple[str, str | None]:
    body = request.html[request.html.index("<body") :].split(">", 1)[1].split("</body>")[0]
    html = (
        f"<html><body><div><p>{own.replace(chr(10), '<br>')}</p></div>"
        '<hr style="display:inline-block;width:98%"><div id="divRplyFwdMsg"><b>From:</b> '
        "Westmorland and Furness SEND IASS<br><b>Sent:</b> 03 November 2026 10:02</div>"
        f"<div>{body}</div></body></html>"
    )
    return "", html


QUOTING = {
    "Gmail, quoted with >": quoted_in_gmail,
    "Outlook, under its header": quoted_in_outlook,
    "Outlook, HTML only": quoted_in_outlook_html,
}
REPLIES = {
    "yes": ("Yes", Decision.GIVEN, Decision.GIVEN),
    "no": ("No", Decision.REFUSED, Decision.REFUSED),
    "one line each": ("Recording: no\nDocuments: yes", Decision.REFUSED, Decision.GIVEN),
}


@pytest.mark.parametrize("quoting", QUOTING.values(), ids=QUOTING.keys())
@pytest.mark.parametrize("reply", REPLIES.values(), ids=REPLIES.keys())
@pytest.mark.parametrize("recipient", [PARENT, YOUNG], ids=["adult", "young person"])
def test_a_reply_quoting_this_request_is_read_from_the_senders_own_words(
    recipient: RequestRecipient,
    reply: tuple[str, Decision, Decision],
    quoting: Callable[[str, RenderedRequest], tuple[str, str | None]],
    service: ServiceProfile,
) -> None:
    """The steps and their example answers, quoted back under a reply as mail programs quote
    them, never count as the sender's answer (replies quoting earlier versions are the intake
    corpus, tests/intake/corpus)."""
    own, recording, documents = reply
    request = render(recipient, meeting(), service)
    text, html = quoting(own, request)
    email = EmailMessage()
    email["From"] = f"{recipient.name} <{recipient.email}>"
    email["To"] = "consent@iass.example.com"
    email["Subject"] = f"RE: {request.subject}"
    email["In-Reply-To"] = request.message_id
    email["Authentication-Results"] = (
        "spf=pass smtp.mailfrom=example.org; dkim=pass header.d=example.org; "
        "dmarc=pass action=none header.from=example.org;compauth=pass reason=100"
    )
    if html is None:
        email.set_content(text)
    else:
        email.set_content(html, subtype="html")
    read = classify_email(email.as_bytes())
    assert isinstance(read, ConsentReply)
    assert read.reference == "IASS-7K3M9Q2P"
    assert "Reply to this email" not in read.own_words
    assert "Send it from" not in read.own_words
    assert not read.classification.needs_review
    assert read.classification.decision(Topic.RECORDING) is recording
    assert read.classification.decision(Topic.DOCUMENTS) is documents
