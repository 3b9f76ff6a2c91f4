"""Legal requests for information: any staff member logs one, bad input is refused in plain
words with what was typed kept and nothing created; only the service manager decides (others
get 403); asking permission emails the parent carer in plain words, and refusing sends
nothing. Every step is audited with pseudonymous ids."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from urllib.parse import quote

import aiohttp
import pytest
from aiohttp.test_utils import TestServer, unused_port
from sqlalchemy import func, select
from yarl import URL

from bot.config import Settings
from bot.graph.tenant import TenantClients
from bot.web.app import create_app
from bot.web.app_keys import TENANT_ACCESS
from consent_store.tables import AuditEntryRow, LegalRequestRow
from consent_store.unit_of_work import Store
from tests.builders import PARENT, SENCO, schedule
from tests.sandbox.conftest import RunningSandbox
from tests.web.staff_site import CSRF_TOKEN, STAFF_SESSION, StaffServer, tenant_settings
from tests.web.test_edit_and_cancel import teams_clients, teams_sandbox

__all__ = ["teams_clients", "teams_sandbox"]

MANAGER_SESSION = replace(STAFF_SESSION, is_manager=True)
BASIS = "Judicial review of the EHC needs assessment decision"


def words_of(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", page)).split())


async def meeting_reference(store: Store) -> str:
    meeting_id, _ = await schedule(store)
    async with store.reading() as uow:
        return (await uow.meetings.get(meeting_id)).reference


def good_form(reference: str) -> dict[str, str]:
    return {
        "csrf_token": CSRF_TOKEN,
        "officer_name": "Sam Lee, SEND casework officer",
        "officer_email": "sam.lee@council.example.gov.uk",
        "basis": BASIS,
        "meetings": reference.lower(),
        "service_user_email": PARENT.email,
    }


async def requests_kept(store: Store) -> int:
    async with store.reading() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(LegalRequestRow)) or 0)


async def test_bad_input_is_refused_in_words_and_nothing_is_created(
    store: Store, signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    reference = await meeting_reference(store)
    url = staff_site.url("/tab/legal")
    cases = [
        ({"basis": "  "}, "Enter the legal basis the officer gave"),
        ({"meetings": ""}, "Enter the reference of at least one meeting"),
        ({"meetings": "IASS-NOPE0000"}, "No meeting has the reference IASS-NOPE0000."),
        ({"officer_email": "sam.lee at council"}, "officer's email address in the form"),
        ({"service_user_email": "stranger@example.net"}, "That address is not a parent carer"),
        ({"service_user_email": SENCO.email}, "That address is not a parent carer"),
    ]
    for change, reason in cases:
        form = good_form(reference) | change
        response = await signed_in.post(url, data=form)
        text = await response.text()
        assert response.status == 400, reason
        assert "There is a problem" in text
        assert reason in words_of(text)
        assert f'value="{html.escape(form["officer_name"])}"' in text, "what was typed is kept"
        assert f">{html.escape(form['basis'])}</textarea>" in text
    assert await requests_kept(store) == 0


async def test_staff_log_a_request_and_only_the_manager_may_decide(
    store: Store, signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    reference = await meeting_reference(store)
    logged = await signed_in.post(
        staff_site.url("/tab/legal"), data=good_form(reference), allow_redirects=False
    )
    assert logged.status == 303
    location = logged.headers["Location"]
    legal = location.split("/")[-1].split("?")[0]
    page = words_of(await (await signed_in.get(staff_site.url(location))).text())
    assert "Waiting for the service manager's decision" in page
    assert BASIS in page
    assert "Only the service manager can decide this request." in page
    refused = await signed_in.post(
        staff_site.url(f"/tab/legal/{legal}/decision"),
        data={"csrf_token": CSRF_TOKEN, "decision": "refuse"},
    )
    assert refused.status == 403
    assert "Only the service manager can use this page" in await refused.text()
    async with store.reading() as uow:
        status = await uow.session.scalar(select(LegalRequestRow.status))
        audited = list(
            await uow.session.execute(select(AuditEntryRow.action, AuditEntryRow.detail))
        )
    assert status == "logged"
    (logged_entry,) = [d for a, d in audited if a == "legal_request.logged"]
    assert legal in logged_entry
    assert "Sam Lee" not in logged_entry
    assert PARENT.email not in logged_entry


@pytest.fixture
async def manager_site(
    store: Store,
    teams_sandbox: RunningSandbox,
    teams_clients: TenantClients,
    client: aiohttp.ClientSession,
) -> AsyncIterator[StaffServer]:
    """The staff pages connected to the sandbox tenant, the client signed in as the manager."""
    port = unused_port()
    base_url = f"http://localhost:{port}"
    tenant = tenant_settings(teams_sandbox.origin, base_url)
    app = create_app(Settings(_env_file=None), store, tenant=tenant)
    app[TENANT_ACCESS].clients = teams_clients
    async with TestServer(app, host="127.0.0.1", port=port):
        server = StaffServer(base_url, tenant, store)
        name, value = await server.session_cookie(MANAGER_SESSION)
        client.cookie_jar.update_cookies({name: value}, response_url=URL(base_url))
        yield server


async def inbox(sandbox: RunningSandbox, address: str) -> list[dict[str, str]]:
    async with aiohttp.ClientSession() as http:
        url = f"{sandbox.origin}/sandbox/api/people/{quote(address)}/messages"
        async with http.get(url) as response:
            assert response.status == 200
            return list((await response.json())["value"])


async def test_the_manager_asks_permission_in_plain_words_or_refuses(
    store: Store,
    client: aiohttp.ClientSession,
    manager_site: StaffServer,
    teams_sandbox: RunningSandbox,
) -> None:
    reference = await meeting_reference(store)
    first = await client.post(manager_site.url("/tab/legal"), data=good_form(reference))
    legal = str(first.url).split("/")[-1].split("?")[0]
    second = await client.post(manager_site.url("/tab/legal"), data=good_form(reference))
    other = str(second.url).split("/")[-1].split("?")[0]
    page = words_of(await first.text())
    assert "What should happen?" in page

    asked = await client.post(
        manager_site.url(f"/tab/legal/{legal}/decision"),
        data={"csrf_token": CSRF_TOKEN, "decision": "ask"},
    )
    assert "The service user was emailed to ask for their permission." in words_of(
        await asked.text()
    )
    (email,) = [m for m in await inbox(teams_sandbox, PARENT.email) if legal in m["subject"]]
    for plain in ("Sam Lee, SEND casework officer", BASIS, "YOU CAN SAY NO", "we send nothing"):
        assert plain.lower() in " ".join(email["text"].split()).lower()
    again = await client.post(
        manager_site.url(f"/tab/legal/{legal}/decision"),
        data={"csrf_token": CSRF_TOKEN, "decision": "refuse"},
    )
    assert again.status == 409

    refused = await client.post(
        manager_site.url(f"/tab/legal/{other}/decision"),
        data={"csrf_token": CSRF_TOKEN, "decision": "refuse"},
    )
    assert "Nothing was asked or sent." in words_of(await refused.text())
    assert not [m for m in await inbox(teams_sandbox, PARENT.email) if other in m["subject"]]
    async with store.reading() as uow:
        actions = list(await uow.session.scalars(select(AuditEntryRow.action)))
        digests = list(await uow.session.scalars(select(LegalRequestRow.request_sha256)))
    assert actions.count("legal_request.logged") == 2
    assert "legal_request.permission_asked" in actions
    assert "legal_request.refused_by_manager" in actions
    assert sorted(d is not None for d in digests) == [False, True]
