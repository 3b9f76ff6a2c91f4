"""The legal requests' later steps are counted by month from the audit log (issue 17): the
service user's answers and the extracts sent, with permission or for safeguarding; the
statistics page no longer says they are not counted."""

from __future__ import annotations

from datetime import timedelta

from bot.web.statistics_page import NOT_COUNTED
from consent_store.audit import AuditEvent
from consent_store.disclosure import Shown, Suppressed
from consent_store.statistics import monthly_counts, monthly_statistics
from consent_store.unit_of_work import Store
from tests.conftest import FakeClock


async def test_answers_and_extracts_sent_are_counted_by_month(
    store: Store, clock: FakeClock
) -> None:
    async with store.unit_of_work() as uow:
        for action in (
            *["legal_request.extract_sent"] * 12,
            "legal_request.permission_given",
            "legal_request.permission_refused",
            "legal_request.permission_refused",
        ):
            await uow.audit(AuditEvent(action, subject_id="attendee"))
        await uow.commit()
    clock.now += timedelta(days=31)
    async with store.unit_of_work() as uow:
        await uow.audit(AuditEvent("legal_request.extract_sent", subject_id="attendee"))
        await uow.commit()

    async with store.reading() as uow:
        counts = await monthly_counts(uow)
        table = await monthly_statistics(uow)
    assert counts["2026-11", "legal_extracts_sent"] == 12
    assert counts["2026-12", "legal_extracts_sent"] == 1
    assert counts["2026-11", "legal_requests_agreed"] == 1
    assert counts["2026-11", "legal_requests_declined"] == 2
    assert isinstance(table.cell("2026-12", "legal_extracts_sent"), Suppressed)
    assert isinstance(table.cell("2026-11", "legal_extracts_sent"), Suppressed), "secondary"
    assert table.cell("Total", "legal_extracts_sent") == Shown(15)
    assert isinstance(table.cell("Total", "legal_requests_declined"), Suppressed)


def test_the_page_no_longer_says_the_extracts_are_not_counted() -> None:
    assert not [words for words in NOT_COUNTED if "legal request" in words or "extract" in words]
