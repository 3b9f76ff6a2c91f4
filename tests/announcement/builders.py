"""A fictional service profile and meetings in each role situation, for the announcement tests."""

from __future__ import annotations

from bot.config import ServiceProfile
from domain.terms import Decision, DeclaredRole, MeetingFacts, Topic
from tests.policy.builders import PARENT, SENCO, STAFF, YOUNG_PERSON, listed, meeting, reply

SERVICE = ServiceProfile(
    name="Fellside SEND Information, Advice and Support Service",
    short_name="Fellside SEND IASS",
    what_we_do=(
        "Impartial and confidential information, advice and support service for parent carers "
        "and children and young people with special educational needs and disabilities."
    ),
    phone="0300 373 3300",
    email="sendiass@iass.example.com",
    website="https://iass.example.com",
)
STAFF_NAME = "Priya Castellano"
FAMILY = (PARENT, YOUNG_PERSON, STAFF, SENCO)
CONTRIBUTION = Topic.CONTRIBUTION
SUPPORT = DeclaredRole.SUPPORT
CONTRIBUTE = DeclaredRole.SUPPORT_AND_CONTRIBUTE

ROLE_SITUATIONS: dict[str, MeetingFacts] = {
    "support declared": meeting(FAMILY, declared_role=SUPPORT),
    "contribution agreed": meeting(
        FAMILY,
        reply(PARENT, CONTRIBUTION),
        reply(YOUNG_PERSON, CONTRIBUTION),
        declared_role=CONTRIBUTE,
    ),
    "young person did not reply": meeting(
        FAMILY, reply(PARENT, CONTRIBUTION), declared_role=CONTRIBUTE
    ),
    "parent refused": meeting(
        FAMILY,
        reply(PARENT, CONTRIBUTION, Decision.REFUSED),
        reply(YOUNG_PERSON, CONTRIBUTION),
        declared_role=CONTRIBUTE,
    ),
    "no service user invited": meeting((STAFF, SENCO), declared_role=CONTRIBUTE),
}

RECORDING_AGREED_WITH_DOCUMENTS = meeting(
    FAMILY,
    *(reply(attendee, Topic.RECORDING) for attendee in FAMILY),
    documents=[listed("doc-ehcp-draft")],
)
