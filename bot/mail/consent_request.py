"""The consent request: one email per attendee per meeting, saying what is asked and how to answer.

Who is asked what (digital policy, "Virtual Meetings"):
- recording: every attendee, when staff want the meeting recorded ("consent in the form of an
  email from all attendees prior to the meeting");
- documents: service users, naming each document proposed ("request consent from
  service-users prior to the meeting before sharing any documents");
- contribution: service users, when staff declared they would contribute ("contribute to
  discussions with prior agreement of service user");
- liaison: service users, when staff named professionals or organisations to talk to about
  the matter, naming each ("Only with service user's permission will the team liaise with
  SEND officers and other professionals", confidentiality policy).

The rendered text is hashed and versioned so each decision can record exactly what the person
was told (who, when, what they were told, how, and how to withdraw).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime

from bot.config import ServiceProfile
from bot.intake.guidance import NO_TO_EVERYTHING, WITHDRAWAL, YES_TO_EVERYTHING, answer_line
from domain.terms import AttendeeKind, DeclaredRole, Topic
from templates import UK_TIME, environment

TEMPLATE_VERSION = "consent-request/5"


@dataclass(frozen=True)
class RequestRecipient:
    name: str
    email: str
    kind: AttendeeKind


@dataclass(frozen=True)
class InvitedPerson:
    """Someone invited to the meeting, as the others are told about them."""

    name: str
    kind: AttendeeKind
    role: str | None = None
    """An interpreter or other supporter's role, said instead of their kind."""


@dataclass(frozen=True)
class RequestedMeeting:
    reference: str
    title: str
    starts_at: datetime
    ends_at: datetime
    staff_name: str
    declared_role: DeclaredRole
    recording_requested: bool
    document_titles: tuple[str, ...]
    invited: tuple[InvitedPerson, ...] = ()
    liaison_names: tuple[str, ...] = ()
    easy_read: bool = False
    """The service user's individual needs say easy read: service users get that version."""


@dataclass(frozen=True)
class RenderedRequest:
    """A request ready to send, and the facts to store about it."""

    topics: tuple[Topic, ...]
    subject: str
    text: str
    html: str
    message_id: str
    template_version: str
    text_sha256: str


def request_subject(service: ServiceProfile, reference: str) -> str:
    return f"Your meeting with {service.short_name}: please reply [{reference}]"


def describe_when(starts_at: datetime, ends_at: datetime) -> str:
    """A meeting's time as people read it: weekday, date, times and the UK zone in use."""
    start, end = starts_at.astimezone(UK_TIME), ends_at.astimezone(UK_TIME)
    return f"{start:%A} {start.day} {start:%B %Y}, {start:%H:%M} to {end:%H:%M} ({start:%Z})"


def _kind_words(kind: AttendeeKind, service: ServiceProfile) -> str:
    return {
        AttendeeKind.PARENT_CARER: "parent carer",
        AttendeeKind.YOUNG_PERSON: "young person",
        AttendeeKind.STAFF: f"{service.short_name} staff",
        AttendeeKind.PROFESSIONAL: "professional",
    }[kind]


def others_invited(
    recipient: RequestRecipient, meeting: RequestedMeeting, service: ServiceProfile
) -> list[str]:
    """Everyone else invited, each as "name (what they are)"."""
    return [
        f"{person.name} ({person.role or _kind_words(person.kind, service)})"
        for person in meeting.invited
        if person.name != recipient.name
    ]


def topics_to_ask(recipient: RequestRecipient, meeting: RequestedMeeting) -> tuple[Topic, ...]:
    """What this person must be asked about; empty means no request is needed."""
    topics = []
    if meeting.recording_requested:
        topics.append(Topic.RECORDING)
    if recipient.kind.is_service_user:
        if meeting.document_titles:
            topics.append(Topic.DOCUMENTS)
        if meeting.declared_role is DeclaredRole.SUPPORT_AND_CONTRIBUTE:
            topics.append(Topic.CONTRIBUTION)
        if meeting.liaison_names:
            topics.append(Topic.LIAISON)
    return tuple(topics)


def request_variant(recipient: RequestRecipient, meeting: RequestedMeeting) -> str:
    """Which wording the person gets: easy read for a service user when their needs say so,
    else the young person's for a young person, else the adult's."""
    if meeting.easy_read and recipient.kind.is_service_user:
        return "easy_read"
    return "young_person" if recipient.kind is AttendeeKind.YOUNG_PERSON else "adult"


def render_request(
    recipient: RequestRecipient,
    meeting: RequestedMeeting,
    service: ServiceProfile,
    mail_domain: str,
) -> RenderedRequest | None:
    """The request for one attendee, or None when there is nothing to ask them."""
    topics = topics_to_ask(recipient, meeting)
    if not topics:
        return None
    variant = request_variant(recipient, meeting)
    context = {
        "recipient": recipient,
        "meeting": meeting,
        "service": service,
        "when": describe_when(meeting.starts_at, meeting.ends_at),
        "asks": {topic.value for topic in topics},
        "reference": meeting.reference,
        "others": others_invited(recipient, meeting, service),
        "answer_lines": [
            answer_line(topic, agree=index % 2 == 0) for index, topic in enumerate(topics)
        ],
        "yes": YES_TO_EVERYTHING,
        "no": NO_TO_EVERYTHING,
        "withdrawal": WITHDRAWAL,
    }
    env = environment()
    text = env.get_template(f"email/consent_request_{variant}.txt.j2").render(context)
    html = env.get_template(f"email/consent_request_{variant}.html.j2").render(context)
    digest = hashlib.sha256(text.encode() + b"\0" + html.encode()).hexdigest()
    return RenderedRequest(
        topics=topics,
        subject=request_subject(service, meeting.reference),
        text=text,
        html=html,
        message_id=f"<{uuid.uuid4().hex}.{meeting.reference.lower()}@{mail_domain}>",
        template_version=f"{TEMPLATE_VERSION}/{variant}",
        text_sha256=digest,
    )
