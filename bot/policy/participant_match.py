"""Who someone in a meeting is to the recording gate: the bot, the organiser, an invited
attendee, or nobody the meeting invited.

Decisions, and why:

- The bot itself (a `28:` id, or its app id as the object id) is ignored: it is the service's
  own software, not a person present.
- The organiser (their Entra object id is the meeting's `organiser_user_id`) is the staff
  member who arranged the meeting on behalf of service users and asked for it to be recorded;
  the policy's "all attendees" are the people the service invited, whose list the organiser
  drew up. The organiser is staff and never blocks recording.
- Everyone else, members of our tenant included, must be an invited attendee. Teams tells the
  bot nothing that separates a colleague of the tenant from a tenant guest (both carry an
  object id; neither the join event nor the call roster says which), and the policy asks for
  consent "from all attendees": an uninvited colleague has not given it either. So a tenant
  account is matched to the attendee list exactly like an anonymous joiner, and a staff
  colleague who should be there is invited as a staff attendee (whose consent the gate
  requires, as the recording gate says).
- Matching is by display name, ignoring case, spaces and accents: for anonymous joiners
  (outside people, invited parents included) Teams gives a display name and nothing else.
  The lobby is the identity check: the meeting lets only the organiser in directly, so staff
  admit each person after seeing who they are. Only attendees still on the list are given
  (the store leaves out those staff removed), so a removed attendee is not matched.
- No match, or a name two invited attendees share, is unknown: the gate closes (fail closed).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

BOT_ID_PREFIX = "28:"


class MatchKind(StrEnum):
    """What a person in the meeting is to the recording gate."""

    BOT = "bot"
    ORGANISER = "organiser"
    ATTENDEE = "attendee"
    UNKNOWN = "unknown"


class UnknownReason(StrEnum):
    """Why someone could not be matched to an invited attendee."""

    NO_MATCH = "no_match"
    AMBIGUOUS = "ambiguous"


@dataclass(frozen=True, slots=True)
class SeenPerson:
    """Someone in the meeting as Teams shows them: `platform_id` is their `29:` id or their
    call participant id; `object_id` is absent for anonymous joiners."""

    platform_id: str
    display_name: str
    object_id: str | None


@dataclass(frozen=True, slots=True)
class InvitedAttendee:
    """An attendee still on the meeting's list, with their (decrypted) name."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class PersonMatch:
    """The answer: `attendee_id` for an attendee, `reason` for someone unknown."""

    kind: MatchKind
    attendee_id: str | None = None
    reason: UnknownReason | None = None


def comparable_name(name: str) -> str:
    """A name with case, whitespace and accents taken out, for comparing display names."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(bare.casefold().split())


def _same_id(first: str | None, second: str | None) -> bool:
    return first is not None and second is not None and first.lower() == second.lower()


def match_person(
    person: SeenPerson,
    *,
    bot_app_id: str,
    organiser_id: str,
    attendees: Iterable[InvitedAttendee],
) -> PersonMatch:
    """Who `person` is to the meeting; see the module docstring for the rules."""
    if person.platform_id.startswith(BOT_ID_PREFIX) or _same_id(person.object_id, bot_app_id):
        return PersonMatch(MatchKind.BOT)
    if _same_id(person.object_id, organiser_id):
        return PersonMatch(MatchKind.ORGANISER)
    wanted = comparable_name(person.display_name)
    if not wanted:
        return PersonMatch(MatchKind.UNKNOWN, reason=UnknownReason.NO_MATCH)
    named = [a.id for a in attendees if comparable_name(a.name) == wanted]
    if not named:
        return PersonMatch(MatchKind.UNKNOWN, reason=UnknownReason.NO_MATCH)
    if len(named) > 1:
        return PersonMatch(MatchKind.UNKNOWN, reason=UnknownReason.AMBIGUOUS)
    return PersonMatch(MatchKind.ATTENDEE, attendee_id=named[0])
