"""Replies about a legal request that the bot could not read with confidence wait, linked to
the request, for the service manager to read on its page: other staff see them but get 403 for
recording anything; a reply that failed the sender check cannot give permission (said in plain
words, nothing changed); permission recorded from a trustworthy reply sends the extract at once.
The review queue points to the request's page instead of offering to set the reply aside."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest
from sqlalchemy import select
from yarl import URL

from consent_store.legal_requests import LegalRequests
from consent_store.records import NewReviewItem
from consent_store.tables import AuditEntryRow
from consent_store.unit_of_work import Store
from domain.terms import AuthVerdict
from tests.builders import PARENT
from tests.sandbox.conftest import RunningSandbox
from tests.web.staff_site import CSRF_TOKEN, STAFF_SESSION, StaffServer
from tests.web.test_edit_and_cancel import teams_clients, teams_sandbox
from tests.web.test_legal_requests import (
    good_form,
    inbox,
    manager_site,
    meeting_reference,
    words_of,
)

__all__ = ["manager_site", "teams_clients", "teams_sandbox"]

OFFICER = "sam.lee@council.example.gov.uk"


@pytest.fixture
async def staff_client(manager_site: StaffServer) -> AsyncIterator[aiohttp.ClientSession]:
    """Another browser, signed in as staff without the manager role."""
    async with aiohttp.ClientSession() as session:
        name, value = await manager_site.session_cookie(STAFF_SESSION)
        session.cookie_jar.update_cookies({name: value}, response_url=URL(manager_site.base_url))
        yield session


async def asked(store: Store, client: aiohttp.ClientSession, site: StaffServer) -> str:
    """A legal request logged and put to the parent; its reference."""
    logged = await client.post(
        site.url("/tab/legal"), data=good_form(await meeting_reference(store))
    )
    legal = str(logged.url).split("/")[-1].split("?")[0]
    await client.post(
        site.url(f"/tab/legal/{legal}/decision"), data={"csrf_token": CSRF_TOKEN, "decision": "ask"}
    )
    return legal


async def a_reply(store: Store, legal: str, words: str, auth: AuthVerdict) -> str:
    """A reply from the parent's invited address, waiting for a person; its review item."""
    async with store.unit_of_work() as uow:
        records = LegalRequests(uow)
        request = await records.get(legal)
        item = await uow.meetings.add_review_item(
            NewReviewItem(
                received_at=uow.now() - timedelta(minutes=1),
                reason="not_clearly_understood",
                attendee_id=request.attendee_id,
                message_id=f"<{words[:4]}@example.org>",
                sender=PARENT.email,
                text=words,
                auth=auth,
            )
        )
        await records.link_review_item(item, request.id)
        await uow.commit()
    return item


async def test_the_manager_reads_a_reply_and_the_extract_goes_at_once(
    store: Store,
    client: aiohttp.ClientSession,
    staff_client: aiohttp.ClientSession,
    manager_site: StaffServer,
    teams_sandbox: RunningSandbox,
) -> None:
    legal = await asked(store, client, manager_site)
    forged = await a_reply(store, legal, "Yes if it is only for the tribunal", AuthVerdict.FAIL)
    page_url = manager_site.url(f"/tab/legal/{legal}")

    seen_by_staff = words_of(await (await staff_client.get(page_url)).text())
    assert "Replies to read" in seen_by_staff
    assert "Yes if it is only for the tribunal" in seen_by_staff
    assert "Only the service manager can record what it says." in seen_by_staff
    refused = await staff_client.post(
        manager_site.url(f"/tab/legal/{legal}/replies/{forged}"),
        data={"csrf_token": CSRF_TOKEN, "reading": "given"},
    )
    assert refused.status == 403

    queue = await (await client.get(manager_site.url("/tab/review"))).text()
    assert f'href="/tab/legal/{legal}"' in queue
    assert f'action="/tab/review/{forged}/reject"' not in queue, "not set aside from the queue"

    unchosen = await client.post(
        manager_site.url(f"/tab/legal/{legal}/replies/{forged}"), data={"csrf_token": CSRF_TOKEN}
    )
    assert unchosen.status == 400
    assert "Choose what the email says" in words_of(await unchosen.text())
    untrusted = await client.post(
        manager_site.url(f"/tab/legal/{legal}/replies/{forged}"),
        data={"csrf_token": CSRF_TOKEN, "reading": "given"},
    )
    assert untrusted.status == 409
    assert "did not pass the sender check" in words_of(await untrusted.text())
    async with store.reading() as uow:
        assert (await LegalRequests(uow).get(legal)).status == "permission_asked"

    answered = await client.post(
        manager_site.url(f"/tab/legal/{legal}/replies/{forged}"),
        data={"csrf_token": CSRF_TOKEN, "reading": "refused"},
    )
    assert "Their refusal was recorded. Nothing is sent." in words_of(await answered.text())
    assert not [m for m in await inbox(teams_sandbox, OFFICER) if legal in m["subject"]]

    changed_mind = await a_reply(store, legal, "Sorry, yes, you can after all", AuthVerdict.PASS)
    given = await client.post(
        manager_site.url(f"/tab/legal/{legal}/replies/{changed_mind}"),
        data={"csrf_token": CSRF_TOKEN, "reading": "given"},
    )
    page = words_of(await given.text())
    assert "the extract was emailed to the officer with a copy to them" in page
    assert "Extract sent" in page
    assert "Replies to read" not in page
    (sent,) = [m for m in await inbox(teams_sandbox, OFFICER) if legal in m["subject"]]
    copies = await inbox(teams_sandbox, PARENT.email)
    assert [m for m in copies if legal in m["subject"] and "Information" in m["subject"]]
    async with store.reading() as uow:
        request = await LegalRequests(uow).get(legal)
        actions = list(await uow.session.scalars(select(AuditEntryRow.action)))
    assert request.status == "extract_sent"
    assert request.extract is not None
    assert request.extract.sha256 in page
    assert actions.count("legal_request.permission_refused") == 1
    assert actions.count("legal_request.permission_given") == 1
    assert actions.count("legal_request.extract_sent") == 1
    assert sent["subject"].endswith(f"[{legal}]")
