"""Every email the bot sends can be read by everyone (issue 18), as the code that sends it
renders it with realistic values: its HTML part says it is in British English, marks its
sections with real headings in order (and an email without sections has none: a short notice is
not padded with headings), lays nothing out with tables, and its plain-text part says the same,
word for word, with the facts a person acts on (the reference, the dates, the answers to write).

The emails are caught where the use cases hand them to the consent mailbox (`bot.ports.mail`),
with both their parts: Graph's sendMail takes one body, the HTML (Exchange writes the text
alternative from it), so the bot's own plain-text part, kept with each consent request, is only
seen there, not in the sandbox tenant's mailboxes. The mailbox, the staff directory and Graph's
list of a meeting's recordings are therefore small stand-ins for their ports; the store is a
real SQLite one (the words do not depend on the engine).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bot.config import ServiceProfile
from bot.mail.consent_request import describe_when, request_subject
from bot.mail.legal_receipt import render_legal_receipt
from bot.mail.meeting_notice import render_cancellation, render_new_time
from bot.mail.receipt import render_receipt
from bot.mail.review_acknowledgement import render_acknowledgement
from bot.policy.blockers import Blocker, BlockerCode
from bot.policy.legal_permission import RequestStatus, Step
from bot.policy.recording_backstop import ArtefactKind
from bot.ports.directory import Directory, StaffContact
from bot.ports.mail import OutgoingEmail
from bot.ports.recordings import ListedArtefact
from bot.services import subject_access
from bot.services.consent_requests import send_consent_requests
from bot.services.legal_answers import apply_answer
from bot.services.legal_extracts import LegalExtracts
from bot.services.legal_request_decisions import ask_permission, override_for_safeguarding
from bot.services.legal_requests import log_legal_request, parse_legal_request
from bot.services.organiser_notices import Notice, tell_organiser
from bot.services.recording_backstop import FoundBy, RecordingBackstop
from bot.services.scheduling import invitation_body
from bot.services.timed_work import send_reminders
from consent_store.keys import KeyRing
from consent_store.legal_request_records import NewAnswer
from consent_store.legal_requests import LegalRequests
from consent_store.liaison import LiaisonRecords
from consent_store.needs import record_needs
from consent_store.records import IndividualNeeds, NewAttendee
from consent_store.unit_of_work import Store
from domain.terms import AttendeeKind, Decision, Topic
from tests import databases
from tests.builders import PARENT, SENCO, STAFF, a_meeting, schedule
from tests.conftest import FakeClock

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "email"
SERVICE = ServiceProfile(
    name="Fellside SEND Information, Advice and Support Service",
    short_name="Fellside SENDIASS",
    what_we_do="Free, impartial and confidential advice about special educational needs.",
    phone="01632 960 123",
    email="sendiass@fellside.example.gov.uk",
    website="https://sendiass.fellside.example.gov.uk",
    privacy_url="https://sendiass.fellside.example.gov.uk/privacy",
    recording_audience="the people invited to the meeting and the service's staff",
    recording_kept_for="120 days",
    document_audience="the people at the meeting",
    brand_colour="#0b4f4c",
)
YOUNG = NewAttendee("Kai Okafor-Bell", "kai.okafor@example.org", AttendeeKind.YOUNG_PERSON)
ORGANISER = "6f1c2a4e-9d3b-4c8e-8a71-2b5e0f9c3d10"
MANAGER = "0c5d8e1f-2a3b-4c4d-9e5f-6a7b8c9d0e1f"
STAFF_CONTACTS = {
    ORGANISER: StaffContact(STAFF.email, STAFF.name),
    MANAGER: StaffContact("dana.whitfield@iass.example.com", "Dana Whitfield"),
}
MEETING_TITLE = "Annual review planning for Okafor-Bell family"
WHEN = "Tuesday 10 November 2026, 10:00 to 11:00 (GMT)"
LIAISON = ("Northshire SEND team, SEND officer",)
BASIS = "A judicial review of the EHC plan decision (claim AC-2026-0412)."


class ConsentMailboxSeen:
    """The consent mailbox as the use cases see it (`bot.ports.mail.Mailbox`), keeping each
    email it is given to send; staff are found in `STAFF_CONTACTS`."""

    address = "consent@iass.example.com"
    meeting_pages = "https://iass.example.com/tab/meetings/"

    def __init__(self) -> None:
        self.sent: list[OutgoingEmail] = []

    @property
    def directory(self) -> Directory:
        return self

    async def contact(self, user_id: str) -> StaffContact | None:
        return STAFF_CONTACTS.get(user_id)

    async def send(self, email: OutgoingEmail) -> None:
        self.sent.append(email)

    def take(self, count: int) -> list[OutgoingEmail]:
        """The emails sent since the last take, which must be `count`."""
        taken, self.sent = self.sent, []
        assert len(taken) == count, [email.subject for email in taken]
        return taken


class TeamsRecordings:
    """What Graph lists of the meeting's recordings and transcripts: a recording and its
    transcript, made during the meeting; the manager role is held by `MANAGER`."""

    def __init__(self, start: datetime) -> None:
        self.listed = [
            ListedArtefact(ArtefactKind.RECORDING, "rec-1", start, start + timedelta(minutes=50)),
            ListedArtefact(ArtefactKind.TRANSCRIPT, "tr-1", start, start + timedelta(minutes=50)),
        ]

    async def artefacts(self, organiser_id: str, meeting_id: str) -> list[ListedArtefact]:
        return self.listed

    async def artefact(
        self, organiser_id: str, meeting_id: str, kind: ArtefactKind, artefact_id: str
    ) -> ListedArtefact | None:
        return None

    async def holders_of(self, role: str) -> list[str]:
        return [MANAGER]


@dataclass(frozen=True)
class Sent:
    """One email as rendered, with the facts both its parts must give, and the titles of its
    sections (none for an email without sections)."""

    template: str
    text: str | None
    html: str
    facts: tuple[str, ...]
    sections: tuple[str, ...] = ()


def sent(template: str, email: OutgoingEmail, *facts: str, sections: tuple[str, ...] = ()) -> Sent:
    return Sent(template, email.text, email.html, facts, sections)


SENT_FROM = "the address we wrote to, before the meeting starts"


async def _through_the_services(store: Store, clock: FakeClock) -> dict[str, Sent]:
    mailbox = ConsentMailboxSeen()
    meeting = a_meeting(attendees=(PARENT, YOUNG, SENCO, STAFF), title=MEETING_TITLE)
    meeting_id, (parent_id, young_id, *_) = await schedule(store, meeting)
    async with store.unit_of_work() as uow:
        row = await uow.meetings.get(meeting_id)
        row.teams_meeting_id = "MSpkZjFjMmE0ZS05ZDNiLTRjOGUtOGE3MS0yYjVlMGY5YzNkMTA"
        reference = row.reference
        await LiaisonRecords(uow).name(meeting_id, LIAISON)
        await uow.commit()
    emails: dict[str, Sent] = {}

    await send_consent_requests(store, mailbox, SERVICE, meeting_id, STAFF.name, "staff")
    parent, young, senco, _ = mailbox.take(4)
    async with store.unit_of_work() as uow:
        record_needs(uow, await uow.meetings.get(meeting_id), IndividualNeeds(easy_read=True))
        await uow.commit()
    await send_consent_requests(
        store, mailbox, SERVICE, meeting_id, STAFF.name, "staff", only={parent_id}
    )
    (easy_read,) = mailbox.take(1)
    async with store.unit_of_work() as uow:
        record_needs(uow, await uow.meetings.get(meeting_id), IndividualNeeds())
        await uow.commit()
    common = (reference, WHEN, MEETING_TITLE, '"I withdraw my consent"', SERVICE.phone)
    emails["consent request, adult"] = sent(
        "consent_request_adult",
        parent,
        *common,
        '"Yes"',
        '"No"',
        "Recording: yes",
        "Documents: no",
        "Contribution: yes",
        "Liaison: no",
        f"Send it from {PARENT.email}, {SENT_FROM}",
        "Draft EHC plan section F",
        LIAISON[0],
        sections=(
            "Recording",
            "Documents",
            f"{STAFF.name}'s role",
            "Talking to other professionals",
            "Our meeting assistant",
            "How to answer",
            "Changing your mind",
            "Your information",
        ),
    )
    emails["consent request, easy read"] = sent(
        "consent_request_easy_read",
        easy_read,
        *common,
        '"Yes"',
        '"No"',
        "Recording: yes",
        "Liaison: no",
        f"Send it from {PARENT.email}.",
        "Draft EHC plan section F",
        LIAISON[0],
        sections=(
            "Question: recording",
            "Question: documents",
            "Question: joining in",
            "Question: talking to other people",
            "Our computer helper",
            "How to answer",
            "Changing your mind",
            "Your information",
        ),
    )
    emails["consent request, young person"] = sent(
        "consent_request_young_person",
        young,
        *common,
        '"Yes"',
        '"No"',
        "Recording: yes",
        "Liaison: no",
        f"Send it from {YOUNG.email}, {SENT_FROM}",
        sections=(
            "Recording",
            "Documents",
            f"{STAFF.name}'s job at the meeting",
            "Talking to other people who help you",
            "Our meeting assistant",
            "How to answer",
            "Changing your mind",
            "Your information",
        ),
    )
    emails["consent request, one question"] = sent(
        "consent_request_adult",
        senco,
        *common,
        'to agree: "Yes"',
        'to say no: "No"',
        f"Send it from {SENCO.email}, {SENT_FROM}",
        sections=(
            "Recording",
            "Our meeting assistant",
            "How to answer",
            "Changing your mind",
            "Your information",
        ),
    )

    await send_reminders(store, mailbox, SERVICE, meeting_id)
    reminder, *_ = mailbox.take(4)
    emails["reminder"] = sent(
        "reminder",
        reminder,
        reference,
        WHEN,
        request_subject(SERVICE, reference),
        "documents are not shared",
    )

    blockers = (
        Blocker(BlockerCode.NO_REPLY, Topic.RECORDING, parent_id),
        Blocker(BlockerCode.REFUSED, Topic.RECORDING, young_id),
    )
    changed_at = "09:00 on Monday 02 November 2026"
    for notice in Notice:
        await tell_organiser(store, mailbox, meeting_id, notice, blockers)
        (told,) = mailbox.take(1)
        facts = (f"“{MEETING_TITLE}” ({reference})", WHEN, "The meeting’s page")
        if notice is not Notice.WILL_START_WITHOUT_CONSENT:
            facts += (changed_at,)
        if notice not in (Notice.RECORDING_ALLOWED, Notice.LOBBY_RESTORED):
            facts += (
                "A parent carer has not replied to the request for consent to recording",
                "A young person refused consent to recording the meeting.",
            )
        emails[f"organiser notice, {notice.value}"] = sent("organiser_notice", told, *facts)

    clock.now = meeting.ends_at + timedelta(minutes=10)
    backstop = RecordingBackstop(
        store, TeamsRecordings(meeting.starts_at), mailbox, manager_role="IASS.Manager"
    )
    await backstop.check_meeting(meeting_id, FoundBy.AFTER_MEETING)
    alert, _ = mailbox.take(2)
    emails["recording alert"] = sent(
        "recording_alert", alert, reference, WHEN, "11:10 on Tuesday 10 November 2026"
    )

    await subject_access.send(store, mailbox, SERVICE, PARENT.email, MANAGER)
    (report,) = mailbox.take(1)
    emails["subject access report"] = sent(
        "subject_access_report",
        report,
        SERVICE.phone,
        SERVICE.email,
        ".html",
        ".json",
        sections=("The files attached", "What it covers"),
    )

    officer = "Sam Lee, SEND casework officer, Northshire Council"
    for who, person in (("adult", PARENT), ("young person", YOUNG)):
        form = {
            "officer_name": officer,
            "officer_email": "sam.lee@northshire.example.gov.uk",
            "basis": BASIS,
            "meetings": reference,
            "service_user_email": person.email,
        }
        legal = await log_legal_request(store, parse_legal_request(form), MANAGER)
        await ask_permission(store, mailbox, SERVICE, legal, MANAGER)
        (asked,) = mailbox.take(1)
        emails[f"legal request permission, {who}"] = sent(
            "legal_request_permission",
            asked,
            legal,
            BASIS,
            officer,
            f"{MEETING_TITLE}, {WHEN}",
            '"Yes"',
            '"No"',
            sections=(
                "Who asked",
                "Why they asked",
                "What we would send",
                "You can say no",
                "How to answer",
            ),
        )
        if person is PARENT:
            request_id = await _permission_given(store, legal)
            facts: tuple[str, ...] = (f"{PARENT.name} agreed that we send it to you",)
        else:
            await override_for_safeguarding(store, legal, "Risk of harm to the child.", MANAGER)
            async with store.reading() as uow:
                request_id = (await LegalRequests(uow).get(legal)).id
            facts = ("without the service user's permission, for a safeguarding reason",)
        await LegalExtracts(store, mailbox, SERVICE).send(request_id)
        (extract,) = mailbox.take(1)
        emails[f"legal extract, {who}"] = sent(
            "legal_extract",
            extract,
            legal,
            BASIS,
            f"Dear {officer}",
            extract.attachments[0].name,
            *facts,
            sections=("The file attached",),
        )
    return emails


async def _permission_given(store: Store, reference: str) -> str:
    """The service user's "Yes" recorded as the intake records it; the request's id."""
    async with store.unit_of_work() as uow:
        request = await LegalRequests(uow).get(reference)
        answer = NewAnswer(
            received_at=uow.now(),
            by="email",
            auth="pass",
            sender_matches=True,
            message_id="<0001.yes@mail.example.org>",
            email_sha256="0" * 64,
            phrase="Yes",
        )
        step = Step(RequestStatus.PERMISSION_GIVEN)
        await apply_answer(
            uow,
            request.id,
            reference,
            request.attendee_id,
            RequestStatus.PERMISSION_ASKED,
            step,
            answer,
            actor="system",
        )
        await uow.commit()
    return request.id


def _rendered_alone() -> dict[str, Sent]:
    """The emails whose renderers are called with their values by the use cases."""
    start = datetime(2026, 11, 10, 10, 0, tzinfo=UTC)
    end = start + timedelta(hours=1)
    moved = (start + timedelta(days=7), end + timedelta(days=7))
    reference = "IASS-7K3M9Q2P"
    receipt = render_receipt(
        name=PARENT.name,
        reference=reference,
        decisions=(
            (Topic.RECORDING, Decision.GIVEN),
            (Topic.DOCUMENTS, Decision.REFUSED),
            (Topic.CONTRIBUTION, Decision.WITHDRAWN),
        ),
        late=True,
        service=SERVICE,
        conditions={Topic.RECORDING: "The recording is deleted after the review."},
    )
    acknowledged = render_acknowledgement(name=PARENT.name, reference=reference, service=SERVICE)
    unmatched = render_acknowledgement(name=None, reference=None, service=SERVICE)
    cancelled = render_cancellation(
        name=PARENT.name,
        reference=reference,
        starts_at=start,
        ends_at=end,
        asked=True,
        service=SERVICE,
    )
    new_time = render_new_time(
        name=PARENT.name,
        reference=reference,
        was=(start, end),
        now_at=moved,
        asked=True,
        service=SERVICE,
    )
    legal_receipts = {
        f"legal answer receipt, {who}, {'yes' if given else 'no'}": (
            render_legal_receipt(
                name=YOUNG.name if young else PARENT.name,
                reference="LR-7K3M9Q2P",
                officer="Sam Lee, SEND casework officer",
                given=given,
                young=young,
                service=SERVICE,
            ),
            given,
        )
        for who, young in (("adult", False), ("young person", True))
        for given in (True, False)
    }
    return {
        **{
            name: Sent(
                "legal_answer_receipt",
                receipt.text,
                receipt.html,
                (
                    "LR-7K3M9Q2P",
                    "Sam Lee, SEND casework officer",
                    "said yes" if given else "said no",
                    "copy at this" if given else "nothing will be sent to",
                    SERVICE.phone,
                ),
            )
            for name, (receipt, given) in legal_receipts.items()
        },
        "receipt": Sent(
            "receipt",
            receipt.text,
            receipt.html,
            (
                reference,
                "you agreed to recording the meeting, on the condition you gave, which we wrote "
                'down as: "The recording is deleted after the review."',
                "you did not agree to sharing the documents we listed",
                "you withdrew your agreement to IASS staff contributing to the discussion",
                "after the meeting had started",
                '"I withdraw my consent"',
            ),
        ),
        "review acknowledgement": Sent(
            "review_acknowledgement",
            acknowledged.text,
            acknowledged.html,
            (reference, "a member of staff will read it", SERVICE.phone),
        ),
        "review acknowledgement, no meeting": Sent(
            "review_acknowledgement",
            unmatched.text,
            unmatched.html,
            ("Dear Sir or Madam", SERVICE.phone),
        ),
        "cancellation": Sent(
            "cancellation",
            cancelled.text,
            cancelled.html,
            (reference, describe_when(start, end), "has been cancelled"),
        ),
        "new time": Sent(
            "new_time",
            new_time.text,
            new_time.html,
            (
                reference,
                describe_when(*moved),
                describe_when(start, end),
                request_subject(SERVICE, reference),
            ),
        ),
        "meeting invitation": Sent(
            "meeting_invitation",
            None,
            invitation_body(SERVICE),
            ("separate email from our consent mailbox", SERVICE.phone),
        ),
    }


@pytest.fixture(scope="module")
async def emails(
    sqlite_template: Path, key_ring: KeyRing, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Mapping[str, Sent]]:
    clock = FakeClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    url = databases.clone_sqlite(sqlite_template, tmp_path_factory.mktemp("emails"))
    store = Store.open(url, key_ring, clock)
    try:
        yield {**await _through_the_services(store, clock), **_rendered_alone()}
    finally:
        await store.close()


CASES = (
    "consent request, adult",
    "consent request, young person",
    "consent request, easy read",
    "consent request, one question",
    "reminder",
    *(f"organiser notice, {notice.value}" for notice in Notice),
    "recording alert",
    "subject access report",
    "legal request permission, adult",
    "legal request permission, young person",
    "legal extract, adult",
    "legal extract, young person",
    *(
        f"legal answer receipt, {who}, {answer}"
        for who in ("adult", "young person")
        for answer in ("yes", "no")
    ),
    "receipt",
    "review acknowledgement",
    "review acknowledgement, no meeting",
    "cancellation",
    "new time",
    "meeting invitation",
)


class _Reading(HTMLParser):
    """An HTML email as its reader meets it: the words shown (not the head), link targets, the
    headings in order with their levels, and the tables."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.words: list[str] = []
        self.links: list[str] = []
        self.headings: list[tuple[int, str]] = []
        self.tables: list[dict[str, str | None]] = []
        self.header_cells = 0
        self.lang: str | None = None
        self._hidden = 0
        self._heading: tuple[int, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html":
            self.lang = found.get("lang")
        elif tag in ("head", "title", "style", "script"):
            self._hidden += 1
        elif tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))
        elif re.fullmatch(r"h[1-6]", tag):
            self._heading = (int(tag[1]), [])
        elif tag == "table":
            self.tables.append(found)
        elif tag == "th":
            self.header_cells += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("head", "title", "style", "script"):
            self._hidden -= 1
        elif re.fullmatch(r"h[1-6]", tag) and self._heading is not None:
            level, words = self._heading
            self.headings.append((level, " ".join("".join(words).split())))
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        self.words.append(data)
        if self._heading is not None:
            self._heading[1].append(data)


def reading(html: str) -> _Reading:
    parser = _Reading()
    parser.feed(html)
    parser.close()
    return parser


STRAIGHT = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})


def said(text: str) -> str:
    """Text with its quotes straightened and its spaces single."""
    return " ".join(unescape(text).translate(STRAIGHT).split())


def words_of(text: str) -> set[str]:
    return {word.strip(".,:;()\"'-").lower() for word in said(text).split()} - {""}


def test_every_html_email_template_is_checked(emails: Mapping[str, Sent]) -> None:
    assert set(emails) == set(CASES)
    checked = {sent.template for sent in emails.values()}
    assert checked == {path.name.removesuffix(".html.j2") for path in TEMPLATES.glob("*.html.j2")}


@pytest.mark.parametrize("name", CASES)
def test_the_html_part_is_in_british_english(name: str, emails: Mapping[str, Sent]) -> None:
    assert reading(emails[name].html).lang == "en-GB"


@pytest.mark.parametrize("name", CASES)
def test_sections_have_real_headings_in_order_and_short_emails_none(
    name: str, emails: Mapping[str, Sent]
) -> None:
    """The subject line is the email's title, so sections are level 2 headings (a level 3 only
    under a level 2); the plain-text part gives the same titles in capitals on lines of their
    own. An email without sections has no headings and no such lines."""
    email = emails[name]
    headings = reading(email.html).headings
    assert [title for _, title in headings] == list(email.sections)
    levels = [level for level, _ in headings]
    assert all(later - earlier <= 1 for earlier, later in zip([1, *levels], levels, strict=False))
    assert all(level >= 2 for level in levels)
    if email.text is not None:
        capitals = [
            line.strip()
            for line in email.text.splitlines()
            if line.strip() and line.strip() == line.strip().upper() and re.search("[A-Z]{3}", line)
        ]
        assert capitals == [title.upper() for title in email.sections]


@pytest.mark.parametrize("name", CASES)
def test_nothing_is_laid_out_with_tables(name: str, emails: Mapping[str, Sent]) -> None:
    """A table may only hold data, with header cells; none is used to place things."""
    read = reading(emails[name].html)
    assert all(table.get("role") not in ("presentation", "none") for table in read.tables)
    assert not read.tables or read.header_cells


@pytest.mark.parametrize("name", [case for case in CASES if case != "meeting invitation"])
def test_the_plain_text_part_says_the_same(name: str, emails: Mapping[str, Sent]) -> None:
    """Every word either part shows is in the other (a link's address is written out in the
    text), and each fact a person acts on is in both. The meeting invitation is the calendar
    event's HTML body, which has no plain-text part of ours."""
    email = emails[name]
    assert email.text is not None
    read = reading(email.html)
    shown = " ".join(read.words)
    text = re.sub(r"(?m)^\d+\. ", "", email.text) if "<ol>" in email.html else email.text
    assert words_of(shown) - words_of(text) == set(), "shown only in the HTML part"
    only_in_text = words_of(text) - words_of(shown)
    assert only_in_text <= words_of(" ".join(read.links)), "written only in the plain text"
    for fact in email.facts:
        assert said(fact) in said(shown), f"not in the HTML part: {fact}"
        assert said(fact) in said(email.text), f"not in the plain-text part: {fact}"


def test_the_meeting_invitation_says_the_facts(emails: Mapping[str, Sent]) -> None:
    invitation = emails["meeting invitation"]
    shown = said(" ".join(reading(invitation.html).words))
    for fact in invitation.facts:
        assert said(fact) in shown


def test_each_case_is_an_email_of_its_own(emails: Mapping[str, Sent]) -> None:
    """No two cases are the same email (a case that rendered nothing new would hide a gap)."""
    assert len({(sent.text, sent.html) for sent in emails.values()}) == len(emails)
