"""Permission to liaise: staff name the professionals or organisations they would like to talk
to or pass information to about a meeting's matter; the service users are asked by email with
the other topics; the meeting page shows the permission per organisation and the meeting chat
only how many (issue 17).

Policy: "Only with service user's permission will the team liaise with SEND officers and other
professionals". The decision is the pure rule in `bot.policy.liaison_gate`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.config import ServiceProfile
from bot.policy.blockers import blocker_sentences
from bot.policy.liaison_gate import LiaisonCount, count_liaison, evaluate_liaison
from bot.ports.failures import GRAPH_FAILURES
from bot.ports.mail import Mailbox
from bot.services.consent_requests import send_consent_requests
from consent_store.audit import AuditEvent
from consent_store.liaison import LiaisonRecords, NamingChange
from consent_store.unit_of_work import Store
from domain.terms import AttendeeKind


async def name_for_liaison(
    store: Store, meeting_id: str, names: tuple[str, ...], actor: str
) -> NamingChange:
    """Keep the meeting's list of organisations as `names`, audited by count only."""
    async with store.unit_of_work() as uow:
        change = await LiaisonRecords(uow).name(meeting_id, names)
        if change.added or change.removed:
            await uow.audit(
                AuditEvent(
                    "liaison.named",
                    actor=actor,
                    meeting_id=meeting_id,
                    detail={"added": len(change.added), "removed": len(change.removed)},
                )
            )
        await uow.commit()
    return change


@dataclass(frozen=True, slots=True)
class LiaisonListSaved:
    """What saving the list did: organisations added and taken off, and whether the service
    users were asked about those added (False when the mailbox could not send)."""

    added: int
    removed: int
    asked: bool


async def save_liaison_list(
    store: Store,
    mailbox: Mailbox,
    service: ServiceProfile,
    meeting_id: str,
    names: tuple[str, ...],
    *,
    actor: str,
    staff_name: str,
) -> LiaisonListSaved:
    """Keep the list; when organisations were added, email the service users a consent request
    naming the whole list (the new request is what their answer is read against). A mailbox
    failure leaves the list saved and says the request was not sent."""
    change = await name_for_liaison(store, meeting_id, names, actor)
    if not change.added:
        return LiaisonListSaved(len(change.added), len(change.removed), asked=True)
    async with store.reading() as uow:
        service_users = {
            a.id
            for a in await uow.meetings.attendees(meeting_id)
            if AttendeeKind(a.kind).is_service_user
        }
    try:
        await send_consent_requests(
            store, mailbox, service, meeting_id, staff_name, actor=actor, only=service_users
        )
    except GRAPH_FAILURES:
        async with store.unit_of_work() as uow:
            await uow.audit(
                AuditEvent(
                    "liaison.request_not_sent",
                    actor=actor,
                    meeting_id=meeting_id,
                    detail={"service_users": len(service_users)},
                )
            )
            await uow.commit()
        return LiaisonListSaved(len(change.added), len(change.removed), asked=False)
    return LiaisonListSaved(len(change.added), len(change.removed), asked=True)


@dataclass(frozen=True, slots=True)
class OrganisationStanding:
    """Whether staff may liaise with one named organisation now, and if not, why."""

    name: str
    permitted: bool
    reasons: tuple[str, ...]


async def liaison_standing(
    store: Store, meeting_id: str, describe_attendee: Callable[[str], str | None]
) -> list[OrganisationStanding]:
    """Each named organisation with whether staff may liaise with it now, for the meeting page."""
    async with store.reading() as uow:
        records = LiaisonRecords(uow)
        organisations = await records.organisations(meeting_id)
        facts = await records.facts(meeting_id)
        now = uow.now()
    standings = []
    for organisation in organisations:
        verdict = evaluate_liaison(facts, organisation.id, now)
        standings.append(
            OrganisationStanding(
                name=organisation.name,
                permitted=verdict.permitted,
                reasons=blocker_sentences(verdict.blockers, describe_attendee),
            )
        )
    return standings


async def liaison_count(store: Store, meeting_id: str) -> LiaisonCount:
    """How many named organisations staff may liaise with now: all the meeting chat is told."""
    async with store.reading() as uow:
        facts = await LiaisonRecords(uow).facts(meeting_id)
        now = uow.now()
    return count_liaison(facts, now)
