"""Permission to liaise in the store: the organisations staff named for a meeting's matter,
which of them each consent request asked about, and the facts the liaison rule reads.

Names are sealed like other personal values (an organisation may be named by a person's name,
"Mrs Patel, SENCO"); everything else is pseudonymous.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from consent_store.repository import new_id
from consent_store.tables import (
    AttendeeRow,
    ConsentDecisionRow,
    LiaisonOrganisationRow,
    LiaisonRequestOrganisationRow,
)
from consent_store.unit_of_work import UnitOfWork
from domain.terms import (
    Attendee,
    AttendeeKind,
    AuthVerdict,
    ConsentRecord,
    Decision,
    LiaisonFacts,
    NamedOrganisation,
    Topic,
)

TABLE = "liaison_organisations"


@dataclass(frozen=True, slots=True)
class Organisation:
    """A named organisation as staff see it."""

    id: str
    name: str
    named_at: datetime


@dataclass(frozen=True, slots=True)
class NamingChange:
    """What changed when staff saved the list: ids added and ids taken off."""

    added: tuple[str, ...]
    removed: tuple[str, ...]


class LiaisonRecords:
    """Reads and writes for liaison within one unit of work (the caller commits)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def organisations(self, meeting_id: str) -> list[Organisation]:
        """The organisations named for the meeting, in order, leaving out any taken off."""
        rows = await self._uow.session.scalars(
            select(LiaisonOrganisationRow)
            .where(
                LiaisonOrganisationRow.meeting_id == meeting_id,
                LiaisonOrganisationRow.removed_at.is_(None),
            )
            .order_by(LiaisonOrganisationRow.position)
        )
        return [
            Organisation(
                id=row.id,
                name=self._uow.decrypt(row.name_enc, TABLE, "name", row.id) or "",
                named_at=row.named_at,
            )
            for row in rows
        ]

    async def name(self, meeting_id: str, names: Sequence[str]) -> NamingChange:
        """Make the meeting's list exactly `names`: names already on it keep their id and when
        they were named (earlier answers about them still count), others are added now, and
        those left out are taken off."""
        current = await self.organisations(meeting_id)
        by_name = {o.name: o for o in current}
        now = self._uow.now()
        removed = tuple(o.id for o in current if o.name not in names)
        if removed:
            await self._uow.session.execute(
                update(LiaisonOrganisationRow)
                .where(LiaisonOrganisationRow.id.in_(removed))
                .values(removed_at=now)
            )
        added: list[str] = []
        for position, name in enumerate(names):
            kept = by_name.get(name)
            if kept is not None:
                await self._uow.session.execute(
                    update(LiaisonOrganisationRow)
                    .where(LiaisonOrganisationRow.id == kept.id)
                    .values(position=position)
                )
                continue
            row_id = new_id()
            self._uow.session.add(
                LiaisonOrganisationRow(
                    id=row_id,
                    meeting_id=meeting_id,
                    position=position,
                    name_enc=self._uow.seal(name, TABLE, "name", row_id),
                    named_at=now,
                )
            )
            added.append(row_id)
        await self._uow.session.flush()
        return NamingChange(added=tuple(added), removed=removed)

    async def cover(self, request_id: str, organisation_ids: Iterable[str]) -> None:
        """Record that the consent request asked about these organisations."""
        self._uow.session.add_all(
            LiaisonRequestOrganisationRow(request_id=request_id, organisation_id=organisation_id)
            for organisation_id in organisation_ids
        )
        await self._uow.session.flush()

    async def facts(self, meeting_id: str) -> LiaisonFacts:
        """What the liaison rule needs: the attendees, every organisation ever named (one taken
        off counts as not named), and every liaison decision with the organisations its
        request named."""
        attendees = (
            await self._uow.session.execute(
                select(AttendeeRow.id, AttendeeRow.kind)
                .where(AttendeeRow.meeting_id == meeting_id, AttendeeRow.removed_at.is_(None))
                .order_by(AttendeeRow.position)
            )
        ).all()
        rows = (
            await self._uow.session.execute(
                select(ConsentDecisionRow, LiaisonRequestOrganisationRow.organisation_id)
                .outerjoin(
                    LiaisonRequestOrganisationRow,
                    LiaisonRequestOrganisationRow.request_id == ConsentDecisionRow.request_id,
                )
                .where(
                    ConsentDecisionRow.meeting_id == meeting_id,
                    ConsentDecisionRow.topic == Topic.LIAISON.value,
                )
            )
        ).all()
        decisions: dict[str, ConsentDecisionRow] = {}
        covered: dict[str, set[str]] = defaultdict(set)
        for decision, organisation_id in rows:
            decisions[decision.id] = decision
            if organisation_id is not None:
                covered[decision.id].add(organisation_id)
        named = await self._uow.session.execute(
            select(LiaisonOrganisationRow.id, LiaisonOrganisationRow.named_at).where(
                LiaisonOrganisationRow.meeting_id == meeting_id,
                LiaisonOrganisationRow.removed_at.is_(None),
            )
        )
        return LiaisonFacts(
            attendees=tuple(Attendee(row.id, AttendeeKind(row.kind)) for row in attendees),
            organisations=tuple(NamedOrganisation(row.id, row.named_at) for row in named),
            decisions=tuple(
                ConsentRecord(
                    attendee_id=row.attendee_id,
                    topic=Topic.LIAISON,
                    decision=Decision(row.decision),
                    received_at=row.received_at,
                    auth=AuthVerdict(row.auth_verdict),
                    sender_matches=row.sender_matches,
                    organisations_covered=frozenset(covered[row.id]),
                )
                for row in decisions.values()
            ),
        )
