"""Which role the bot states for staff at the start of a meeting.

Policy: staff attend "to support an individual, and/or to contribute to discussions with prior
agreement of service user". "Support and contribute" is stated only when every service user gave
trustworthy consent to contribution before the start; otherwise the stated role is "support".
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.policy.blockers import Blocker, BlockerCode
from bot.policy.consent_standing import group_consent_blockers, service_users
from domain.terms import DeclaredRole, MeetingFacts, Topic


@dataclass(frozen=True, slots=True)
class RoleStatement:
    """The role staff declared and the one to state; `reasons` say why the two differ."""

    declared: DeclaredRole
    reasons: tuple[Blocker, ...]

    @property
    def effective(self) -> DeclaredRole:
        return DeclaredRole.SUPPORT if self.reasons else self.declared


def decide_role(facts: MeetingFacts) -> RoleStatement:
    """Decide the role to state, with every reason a declared contribution cannot stand."""
    if facts.declared_role is DeclaredRole.SUPPORT:
        return RoleStatement(declared=DeclaredRole.SUPPORT, reasons=())
    return RoleStatement(
        declared=facts.declared_role,
        reasons=group_consent_blockers(
            facts, Topic.CONTRIBUTION, service_users(facts), BlockerCode.NO_SERVICE_USER
        ),
    )
