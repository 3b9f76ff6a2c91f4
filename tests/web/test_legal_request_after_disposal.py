"""Asking permission for a legal request after disposal (issue 17): once the request's
information went with its meetings under the retention schedule, or any meeting it names was
disposed of, the service user cannot be told who asked, why, or what would be sent. The page
says so instead of offering to ask; asking anyway is refused in plain words, audited by
reference and reason, and no email goes; the manager may still refuse the request."""

from __future__ import annotations

import json
from datetime import timedelta

import aiohttp
from sqlalchemy import select

from bot.services.legal_requests import LegalRequestInput, log_legal_request
from consent_store.engine import scrub_freed_space
from consent_store.legal_requests import LegalRequests
from consent_store.retention import SCRUBBED_TABLES, dispose, plan_disposal
from consent_store.tables import AuditEntryRow
from consent_store.unit_of_work import Store
from tests.builders import MEETING_START, PARENT, a_meeting, schedule
from tests.conftest import FakeClock
from tests.sandbox.conftest import RunningSandbox
from tests.web.staff_site import CSRF_TOKEN, StaffServer
from tests.web.test_edit_and_cancel import teams_clients, teams_sandbox
from tests.web.test_legal_requests import BASIS, inbox, manager_site, words_of

__all__ = ["manager_site", "teams_clients", "teams_sandbox"]

RETENTION = timedelta(days=365)
OFFICER = "Sam Lee, SEND casework officer"
ASK = "Ask the service user's permission by email"


async def reference_of(store: Store, days: int) -> str:
    meeting_id, _ = await schedule(store, a_meeting(starts_at=MEETING_START + timedelta(days=days)))
    async with store.reading() as uow:
        return (await uow.meetings.get(meeting_id)).reference


async def logged(store: Store, *meetings: str) -> str:
    return await log_legal_request(
        store,
        LegalRequestInput(OFFICER, "sam.lee@council.example.gov.uk", BASIS, meetings, PARENT.email),
        actor="staff-object-id",
    )


async def dispose_at(store: Store, clock: FakeClock, when: object) -> None:
    kept = clock.now
    clock.now = when  # type: ignore[assignment]
    async with store.unit_of_work() as uow:
        await dispose(uow, await plan_disposal(uow, RETENTION), "test")
        await uow.commit()
    await scrub_freed_space(store.engine, SCRUBBED_TABLES)
    clock.now = kept


async def test_asking_after_disposal_is_refused_in_words_audited_and_nothing_is_sent(
    store: Store,
    clock: FakeClock,
    client: aiohttp.ClientSession,
    manager_site: StaffServer,
    teams_sandbox: RunningSandbox,
) -> None:
    old = await reference_of(store, 0)
    later = await reference_of(store, 200)
    wholly = await logged(store, old)
    partly = await logged(store, old, later)
    await dispose_at(store, clock, MEETING_START + RETENTION + timedelta(days=2))

    expected = {
        wholly: "This request's information was disposed of under the retention schedule, with"
        " the meetings it names: who asked, why, and what the meetings held are no longer kept."
        " The service user cannot be asked and nothing can be sent.",
        partly: f"Some of the meetings this request names ({old}) were disposed of under the"
        " retention schedule, so their information is no longer kept and the service user"
        " cannot be told what would be sent.",
    }
    for legal, words in expected.items():
        page = words_of(await (await client.get(manager_site.url(f"/tab/legal/{legal}"))).text())
        assert words in page
        assert ASK not in page, "the page does not offer to ask"
        assert "Refuse the request: nothing is asked or sent" in page
        asked = await client.post(
            manager_site.url(f"/tab/legal/{legal}/decision"),
            data={"csrf_token": CSRF_TOKEN, "decision": "ask"},
        )
        answer = words_of(await asked.text())
        assert asked.status == 409
        assert f"There is a problem {words}" in answer
    page = words_of(await (await client.get(manager_site.url(f"/tab/legal/{wholly}"))).text())
    assert "No longer kept: disposed of under the retention schedule" in page
    assert f"{old} (disposed of)" in page
    assert "Nothing can be sent, for safeguarding or otherwise" in page
    assert "Record the reason and send to the officer" not in page, "no safeguarding override"
    partly_page = words_of(
        await (await client.get(manager_site.url(f"/tab/legal/{partly}"))).text()
    )
    assert "Record the reason and send to the officer" in partly_page, "its kept meetings may go"

    assert not [
        m
        for m in await inbox(teams_sandbox, PARENT.email)
        if wholly in m["subject"] or partly in m["subject"]
    ], "no email asked permission"
    async with store.reading() as uow:
        records = LegalRequests(uow)
        assert [(await records.get(r)).status for r in (wholly, partly)] == ["logged", "logged"]
        entries = list(
            await uow.session.scalars(
                select(AuditEntryRow.detail).where(
                    AuditEntryRow.action == "legal_request.permission_not_asked"
                )
            )
        )
    assert sorted(json.loads(d)["reason"] for d in entries) == [
        "meetings_disposed",
        "request_disposed",
    ]
    assert sorted(json.loads(d)["reference"] for d in entries) == sorted((wholly, partly))
    for personal in (OFFICER, BASIS, PARENT.email, PARENT.name):
        assert all(personal not in d for d in entries)

    refused = await client.post(
        manager_site.url(f"/tab/legal/{wholly}/decision"),
        data={"csrf_token": CSRF_TOKEN, "decision": "refuse"},
    )
    assert "The request was refused. Nothing was asked or sent." in words_of(await refused.text())
