"""The safeguarding override (issue 17): the service manager may record a safeguarding reason to
send a legal request's extract without the service user's permission. A typed reason is needed
(an empty or over-long one is refused in plain words, what was typed kept, nothing recorded);
other staff get 403; it is audited as a safeguarding override for the request and for each
meeting, without the reason's words; the extract goes to the officer alone; and the meeting
page shows it with the reason."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import aiohttp
import pytest
from sqlalchemy import select
from yarl import URL

from consent_store.legal_requests import LegalRequests
from consent_store.tables import AuditEntryRow
from consent_store.unit_of_work import Store
from tests.builders import PARENT
from tests.sandbox.conftest import RunningSandbox
from tests.web.staff_site import CSRF_TOKEN, STAFF_SESSION, StaffServer
from tests.web.test_edit_and_cancel import teams_clients, teams_sandbox
from tests.web.test_legal_replies import OFFICER, asked
from tests.web.test_legal_requests import inbox, manager_site, words_of

__all__ = ["manager_site", "teams_clients", "teams_sandbox"]

REASON = "The officer reports a disclosure at school that the child is at risk of harm at home."


@pytest.fixture
async def staff_client(manager_site: StaffServer) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        name, value = await manager_site.session_cookie(STAFF_SESSION)
        session.cookie_jar.update_cookies({name: value}, response_url=URL(manager_site.base_url))
        yield session


async def mail_about(sandbox: RunningSandbox, address: str, legal: str) -> list[dict[str, str]]:
    return [
        m
        for m in await inbox(sandbox, address)
        if legal in m["subject"] and "Information" in m["subject"]
    ]


async def test_the_override_needs_a_reason_is_audited_and_shows_on_the_meeting_page(
    store: Store,
    client: aiohttp.ClientSession,
    staff_client: aiohttp.ClientSession,
    manager_site: StaffServer,
    teams_sandbox: RunningSandbox,
) -> None:
    legal = await asked(store, client, manager_site)
    override = manager_site.url(f"/tab/legal/{legal}/safeguarding")
    staff_page = words_of(
        await (await staff_client.get(manager_site.url(f"/tab/legal/{legal}"))).text()
    )
    assert "Only the service manager can send information without" in staff_page
    refused = await staff_client.post(
        override, data={"csrf_token": CSRF_TOKEN, "safeguarding_reason": REASON}
    )
    assert refused.status == 403

    for typed, problem in (
        ("   ", "Enter the safeguarding reason"),
        ("x" * 2001, "Enter at most 2000 characters for the reason."),
    ):
        bad = await client.post(
            override, data={"csrf_token": CSRF_TOKEN, "safeguarding_reason": typed}
        )
        text = await bad.text()
        assert bad.status == 400
        assert "There is a problem" in text
        assert problem in words_of(text)
        assert f">{typed}</textarea>" in text, "what was typed is kept"
    async with store.reading() as uow:
        assert (await LegalRequests(uow).get(legal)).status == "permission_asked"
        assert not list(
            await uow.session.scalars(
                select(AuditEntryRow.seq).where(AuditEntryRow.action.like("%safeguarding%"))
            )
        )

    done = await client.post(
        override, data={"csrf_token": CSRF_TOKEN, "safeguarding_reason": REASON}
    )
    page = words_of(await done.text())
    assert "the extract was emailed to the officer. No copy went to the service user." in page
    assert REASON in page
    assert len(await mail_about(teams_sandbox, OFFICER, legal)) == 1
    assert not await mail_about(teams_sandbox, PARENT.email, legal), "no copy to the family"

    async with store.reading() as uow:
        request = await LegalRequests(uow).get(legal)
        entries = list(
            await uow.session.execute(
                select(
                    AuditEntryRow.action,
                    AuditEntryRow.actor,
                    AuditEntryRow.meeting_id,
                    AuditEntryRow.detail,
                )
            )
        )
    assert request.status == "extract_sent"
    assert request.safeguarding is not None
    assert request.safeguarding.reason == REASON
    (override_entry,) = [e for e in entries if e[0] == "legal_request.safeguarding_override"]
    assert override_entry[1] == STAFF_SESSION.object_id, "the manager's pseudonymous id"
    (for_meeting,) = [e for e in entries if e[0] == "legal_request.safeguarding_override_meeting"]
    assert for_meeting[2] is not None
    (sent,) = [e for e in entries if e[0] == "legal_request.extract_sent"]
    assert json.loads(sent[3])["safeguarding"] is True
    assert all(REASON not in detail and "risk" not in detail for *_, detail in entries)

    meeting = request.meeting_references[0]
    meeting_page = words_of(
        await (await staff_client.get(manager_site.url(f"/tab/meetings/{meeting}"))).text()
    )
    assert "Requests for information for legal reasons" in meeting_page
    assert "Sent without the service user's permission, for safeguarding." in meeting_page
    assert REASON in meeting_page
    assert (
        "Information about this meeting is to be sent" in meeting_page
        or "safeguarding" in meeting_page
    )

    again = await client.post(
        override, data={"csrf_token": CSRF_TOKEN, "safeguarding_reason": REASON}
    )
    assert again.status == 409
    assert "already being sent or was sent" in words_of(await again.text())
