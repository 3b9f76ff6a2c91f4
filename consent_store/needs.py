"""The service user's individual needs in the store: sealed as one JSON value on the meeting
(`meetings.needs_enc`), bound to its row like every other sealed field, so nothing about them
(not even whether any were recorded) is readable without the keys. Disposal clears it.

The supporter (an interpreter or other supporter) is also one of the meeting's attendees, found
by their address; the needs keep their role, which the opening statement names.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from consent_store.records import IndividualNeeds, Supporter
from consent_store.tables import AttendeeRow, MeetingRow
from consent_store.unit_of_work import UnitOfWork

_TABLE, _COLUMN = "meetings", "needs"


def _as_json(needs: IndividualNeeds) -> str:
    supporter = needs.supporter
    return json.dumps(
        {
            "phone": needs.joins_by_phone,
            "easy_read": needs.easy_read,
            "format": needs.other_format,
            "supporter": (
                {"email": supporter.email, "role": supporter.role} if supporter else None
            ),
        },
        ensure_ascii=False,
    )


def _from_json(text: str) -> IndividualNeeds:
    held = json.loads(text)
    supporter = held.get("supporter")
    return IndividualNeeds(
        joins_by_phone=bool(held.get("phone")),
        easy_read=bool(held.get("easy_read")),
        other_format=held.get("format") or None,
        supporter=Supporter(supporter["email"], supporter["role"]) if supporter else None,
    )


def record_needs(uow: UnitOfWork, meeting: MeetingRow, needs: IndividualNeeds) -> None:
    """Keep the meeting's needs (replacing any before); none at all is kept as nothing."""
    meeting.needs_enc = (
        uow.seal(_as_json(needs), _TABLE, _COLUMN, meeting.id) if needs.any else None
    )


def needs_of(uow: UnitOfWork, meeting: MeetingRow) -> IndividualNeeds:
    """The meeting's needs as recorded; none recorded (or disposed of) is no needs."""
    text = uow.decrypt(meeting.needs_enc, _TABLE, _COLUMN, meeting.id)
    return _from_json(text) if text else IndividualNeeds()


@dataclass(frozen=True, slots=True)
class SupporterAttending:
    """The supporter as one of the meeting's attendees still invited."""

    attendee_id: str
    role: str


def supporter_attending(
    uow: UnitOfWork, needs: IndividualNeeds, attendees: Sequence[AttendeeRow]
) -> SupporterAttending | None:
    """The supporter among `attendees` (still invited), matched by address, or None."""
    if needs.supporter is None:
        return None
    wanted = uow.store.blind_index.of_email(needs.supporter.email)
    for attendee in attendees:
        if attendee.email_index == wanted:
            return SupporterAttending(attendee.id, needs.supporter.role)
    return None
