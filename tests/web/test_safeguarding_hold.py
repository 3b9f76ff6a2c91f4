"""Staff place and lift a safeguarding hold from the meeting page; disposal then keeps it."""

from __future__ import annotations

from datetime import timedelta

import aiohttp
from sqlalchemy import select

from consent_store.retention import plan_disposal
from consent_store.tables import AuditEntryRow
from consent_store.unit_of_work import Store
from tests.builders import MEETING_START, schedule
from tests.conftest import FakeClock
from tests.web.staff_site import CSRF_TOKEN, STAFF_SESSION, StaffServer


async def reference_of(store: Store, meeting_id: str) -> str:
    async with store.reading() as uow:
        return (await uow.meetings.get(meeting_id)).reference


async def test_a_hold_is_placed_audited_and_keeps_the_meeting_from_disposal(
    store: Store, signed_in: aiohttp.ClientSession, staff_site: StaffServer, clock: FakeClock
) -> None:
    meeting_id, _ = await schedule(store)
    reference = await reference_of(store, meeting_id)
    page = staff_site.url(f"/tab/meetings/{reference}")
    assert "Place a safeguarding hold" in await (await signed_in.get(page)).text()

    placed = await signed_in.post(
        f"{page}/safeguarding",
        data={"csrf_token": CSRF_TOKEN, "hold": "on"},
        allow_redirects=False,
    )
    assert (placed.status, placed.headers["Location"]) == (303, f"/tab/meetings/{reference}")
    assert "Lift the safeguarding hold" in await (await signed_in.get(page)).text()

    clock.now = MEETING_START + timedelta(days=4000)
    async with store.reading() as uow:
        plan = await plan_disposal(uow, timedelta(days=365))
        actions = list(
            await uow.session.execute(
                select(AuditEntryRow.action, AuditEntryRow.actor).where(
                    AuditEntryRow.meeting_id == meeting_id
                )
            )
        )
    assert plan.meeting_references == ()
    assert plan.meetings_held == 1
    assert ("meeting.safeguarding_hold_placed", STAFF_SESSION.object_id) in actions


async def test_a_hold_cannot_be_changed_without_the_form_token(
    store: Store, signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    meeting_id, _ = await schedule(store)
    reference = await reference_of(store, meeting_id)
    forged = await signed_in.post(
        staff_site.url(f"/tab/meetings/{reference}/safeguarding"),
        data={"hold": "on"},
        allow_redirects=False,
    )
    assert forged.status == 403
    async with store.reading() as uow:
        assert (await uow.meetings.get(meeting_id)).safeguarding_hold is False
