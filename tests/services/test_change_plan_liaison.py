"""An edit of the professionals named for liaison: anyone newly named means the service users
are asked again (never the professionals), someone taken off just ends liaison with them, and
the audit says how many, never who."""

from __future__ import annotations

from dataclasses import replace

from bot.services.change_plan import plan_changes
from tests.services.test_change_plan import NOW, PARENT, STORED, unchanged

SEND_TEAM = "Northshire SEND team, SEND officer"
SCHOOL = "Fellside Primary, SENCO"
LISTED = replace(STORED, liaison=(SEND_TEAM,))


def test_naming_someone_new_asks_the_service_users_again() -> None:
    plan = plan_changes(LISTED, replace(unchanged(), liaison=(SEND_TEAM, SCHOOL)), NOW)
    assert plan.changed
    assert not plan.changes_teams
    assert plan.liaison_added == (SCHOOL,)
    assert plan.ask_again == (PARENT.id,)
    assert plan.audit_detail()["liaison_added"] == 1
    assert SCHOOL not in str(plan.audit_detail())


def test_taking_someone_off_asks_no_one() -> None:
    plan = plan_changes(LISTED, unchanged(), NOW)
    assert plan.changed
    assert plan.liaison_removed == (SEND_TEAM,)
    assert plan.ask_again == ()
    assert plan.audit_detail()["liaison_removed"] == 1


def test_the_same_list_changes_nothing() -> None:
    plan = plan_changes(LISTED, replace(unchanged(), liaison=(SEND_TEAM,)), NOW)
    assert not plan.changed
    assert "liaison_added" not in plan.audit_detail()
