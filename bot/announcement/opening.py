"""The opening statement: who the staff member is, what the service does, the role stated for
them, whether the meeting may be recorded, and that documents need prior consent.

Policy ("Virtual Meetings"): staff "will state their role at the beginning of meetings", to
support an individual, "and/or to contribute to discussions with prior agreement of service
user". When staff declared "support and contribute" but the role to state is "support", the
staff member alone is told why, without any service user being named.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from bot.announcement.card import Card, card_of, heading, labelled, paragraph, submit_button
from bot.announcement.spoken_forms import as_sentence, speakable, speakable_name, spoken_phone
from bot.announcement.wording import card_wording, chat_text, spoken_text
from bot.config import ServiceProfile
from bot.policy.blockers import BlockerCode
from bot.policy.objection import OBJECT_ACTION
from bot.policy.role_statement import RoleStatement
from domain.terms import DeclaredRole


@dataclass(frozen=True, slots=True)
class Announcement:
    """The statement read aloud, the same facts as a chat card, and any private staff notice."""

    spoken: str
    card: Card
    staff_notice: str | None


@dataclass(frozen=True, slots=True)
class _Stated:
    """What the statement says, apart from who the staff member and the service are."""

    contributes: bool
    recording_permitted: bool
    documents_proposed: bool
    supporter_roles: tuple[str, ...] = ()

    def as_context(self) -> dict[str, object]:
        return asdict(self)


def _spoken(service: ServiceProfile, staff_name: str, stated: _Stated) -> str:
    return spoken_text(
        "announcement",
        {
            "staff_name": speakable_name(staff_name),
            "service_name": speakable(service.name),
            "what_we_do": as_sentence(speakable(service.what_we_do)),
            "phone": spoken_phone(service.phone),
            **stated.as_context(),
            "supporter_roles": [speakable(role) for role in stated.supporter_roles],
        },
    )


def _card(service: ServiceProfile, staff_name: str, stated: _Stated) -> Card:
    wording = card_wording(
        "announcement",
        {"staff_name": " ".join(staff_name.split()), "service": service, **stated.as_context()},
    )
    supporters = (
        (labelled(wording["supporters_label"], wording["supporters"]),)
        if stated.supporter_roles
        else ()
    )
    return card_of(
        heading(wording["heading"]),
        paragraph(wording["about"], subtle=True),
        labelled(wording["role_label"], wording["role"]),
        *supporters,
        labelled(wording["recording_label"], wording["recording"]),
        labelled(wording["documents_label"], wording["documents"]),
        paragraph(wording["contact"], subtle=True),
        actions=(submit_button(wording["object_button"], {"action": OBJECT_ACTION}),),
    )


def _staff_notice(role: RoleStatement) -> str | None:
    if role.declared is DeclaredRole.SUPPORT or role.effective is not DeclaredRole.SUPPORT:
        return None
    no_service_user = any(reason.code is BlockerCode.NO_SERVICE_USER for reason in role.reasons)
    return chat_text("staff_role_notice", {"no_service_user": no_service_user})


def compose_announcement(
    service: ServiceProfile,
    staff_name: str,
    role: RoleStatement,
    *,
    recording_permitted: bool,
    documents_proposed: bool,
    supporter_roles: tuple[str, ...] = (),
) -> Announcement:
    """The opening statement for a meeting, naming no one but `staff_name` (a display name).

    `recording_permitted` is the recording gate's verdict (`RecordingVerdict.permitted`);
    `documents_proposed` says whether staff listed any documents for the meeting;
    `supporter_roles` are the roles of the service user's interpreter or other supporter
    invited (from the individual needs), said by role, never by name.
    """
    if not staff_name.strip():
        raise ValueError("the staff member's display name is needed for the announcement")
    stated = _Stated(
        contributes=role.effective is DeclaredRole.SUPPORT_AND_CONTRIBUTE,
        recording_permitted=recording_permitted,
        documents_proposed=documents_proposed,
        supporter_roles=supporter_roles,
    )
    return Announcement(
        spoken=_spoken(service, staff_name, stated),
        card=_card(service, staff_name, stated),
        staff_notice=_staff_notice(role),
    )
