"""Statistics counted from the store on both engines, protected before they are shown."""

from __future__ import annotations

from datetime import timedelta

from bot.policy.terms import Decision
from consent_store.audit import AuditEvent
from consent_store.disclosure import Shown, Suppressed
from consent_store.statistics import monthly_counts, monthly_statistics
from consent_store.unit_of_work import Store
from tests.builders import MEETING_START, PARENT, a_meeting, reply, schedule


async def test_counts_by_month_and_outcome(store: Store) -> None:
    november = [await schedule(store) for _ in range(12)]
    december, (december_parent, _, _) = await schedule(
        store, a_meeting(starts_at=MEETING_START + timedelta(days=31))
    )
    async with store.unit_of_work() as uow:
        for meeting_id, _ in november[:11]:
            await uow.meetings.set_recording_outcome(meeting_id, permitted=True)
        await uow.meetings.set_recording_outcome(november[11][0], permitted=False)
        (await uow.meetings.get(november[0][0])).status = "cancelled"
        await uow.audit(AuditEvent("document.share_refused", meeting_id=december))
        await uow.commit()
    for meeting_id, (parent, _, _) in november[1:]:
        await reply(store, meeting_id, parent, PARENT.email)
    await reply(store, december, december_parent, PARENT.email, Decision.WITHDRAWN)

    async with store.unit_of_work() as uow:
        counts = await monthly_counts(uow)
        table = await monthly_statistics(uow)

    assert counts["2026-11", "meetings"] == 11
    assert counts["2026-11", "recordings_permitted"] == 10
    assert counts["2026-11", "recordings_refused"] == 1
    assert counts["2026-11", "replies_given"] == 11
    assert counts["2026-12", "meetings"] == 1
    assert counts["2026-11", "replies_withdrawn"] == 1
    assert counts["2026-11", "documents_refused"] == 1

    assert table.cell("2026-11", "replies_given") == Shown(10)
    assert table.cell("2026-12", "replies_given") == Shown(0)
    assert table.cell("Total", "replies_given") == Shown(10)
    assert isinstance(table.cell("2026-11", "recordings_refused"), Suppressed)
    assert table.cell("Total", "meetings") == Shown(10)
    # December's single meeting is hidden, and so November's eleven must be too, or the
    # total would give December away.
    assert isinstance(table.cell("2026-12", "meetings"), Suppressed)
    assert isinstance(table.cell("2026-11", "meetings"), Suppressed)
