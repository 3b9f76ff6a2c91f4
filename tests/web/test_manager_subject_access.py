"""Subject access from the staff pages: the service manager finds what is held by email address,
reads it, and sends it to that address from the consent mailbox with the report attached (end to
end against the sandbox tenant), or downloads the same files; each step audited with
pseudonymous ids, never the address. Bad input is refused in plain words with what was typed
kept; staff without the manager role are refused every manager page (403)."""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from urllib.parse import quote

import aiohttp
import pytest
from aiohttp.test_utils import TestServer, unused_port
from sqlalchemy import select
from yarl import URL

from bot.config import Settings
from bot.graph.tenant import TenantClients
from bot.web.app import create_app
from bot.web.app_keys import TENANT_ACCESS
from consent_store.subject_access import subject_access_report
from consent_store.tables import AuditEntryRow
from consent_store.unit_of_work import Store
from sandbox.seed import CONSENT_MAILBOX
from tests.builders import PARENT, SENCO, reply, schedule
from tests.sandbox.conftest import RunningSandbox
from tests.web.staff_site import CSRF_TOKEN, STAFF_SESSION, StaffServer, tenant_settings
from tests.web.test_edit_and_cancel import teams_clients, teams_sandbox
from tests.web.test_legal_requests import words_of

__all__ = ["teams_clients", "teams_sandbox"]

MANAGER_SESSION = replace(STAFF_SESSION, is_manager=True)
REPLY_WORDS = "Yes, recording is fine by me."
MANAGER_PAGES = (
    ("GET", "/tab/subject-access"),
    ("POST", "/tab/subject-access"),
    ("POST", "/tab/subject-access/send"),
    ("POST", "/tab/subject-access/download"),
    ("GET", "/tab/statistics"),
    ("GET", "/tab/statistics.csv"),
)


async def held_about_the_parent(store: Store) -> str:
    meeting, (parent, senco, _) = await schedule(store)
    await reply(store, meeting, parent, PARENT.email, phrase=REPLY_WORDS)
    await reply(store, meeting, senco, SENCO.email, phrase="Fine from the school's side.")
    return parent


async def audit_entries(store: Store, prefix: str) -> list[AuditEntryRow]:
    async with store.reading() as uow:
        return list(
            await uow.session.scalars(
                select(AuditEntryRow)
                .where(AuditEntryRow.action.startswith(prefix))
                .order_by(AuditEntryRow.seq)
            )
        )


async def report_now(store: Store, address: str) -> tuple[bytes, bytes]:
    """The report `iass-bot sar export` would write now: its HTML and JSON."""
    async with store.reading() as uow:
        report = await subject_access_report(uow, address)
    return report.to_html().encode(), report.to_json().encode()


def form(**values: str) -> dict[str, str]:
    return {"csrf_token": CSRF_TOKEN, **values}


@pytest.fixture
async def as_manager(client: aiohttp.ClientSession, staff_site: StaffServer) -> StaffServer:
    """The staff pages (not connected to Microsoft 365), the client signed in as the manager."""
    name, value = await staff_site.session_cookie(MANAGER_SESSION)
    client.cookie_jar.update_cookies({name: value}, response_url=URL(staff_site.base_url))
    return staff_site


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


async def test_staff_without_the_manager_role_are_refused_every_manager_page(
    store: Store, signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    await held_about_the_parent(store)
    home = await (await signed_in.get(staff_site.url("/tab"))).text()
    assert "/tab/subject-access" not in home
    assert "/tab/statistics" not in home
    for method, path in MANAGER_PAGES:
        response = await signed_in.request(
            method,
            staff_site.url(path),
            data=form(email=PARENT.email, format="html") if method == "POST" else None,
        )
        text = await response.text()
        assert response.status == 403, path
        assert "Only the service manager can use this page" in text, path
        assert PARENT.name not in text, path
        assert REPLY_WORDS not in text, path
    assert await audit_entries(store, "subject_access.") == []


async def test_managers_find_the_pages_in_the_navigation(
    client: aiohttp.ClientSession, as_manager: StaffServer
) -> None:
    home = await (await client.get(as_manager.url("/tab"))).text()
    assert 'href="/tab/subject-access">Subject access</a>' in home
    assert 'href="/tab/statistics">Statistics</a>' in home


async def test_bad_input_is_refused_in_plain_words_and_what_was_typed_is_kept(
    store: Store, client: aiohttp.ClientSession, as_manager: StaffServer
) -> None:
    await held_about_the_parent(store)
    cases = [
        ("  ", 400, "Enter the email address of the person asking for their information."),
        ("alex carter at example", 400, "Enter an email address in the form name@example.org."),
        ("nobody@example.org", 404, "Nothing is held about that address."),
    ]
    for path in ("/tab/subject-access", "/tab/subject-access/send", "/tab/subject-access/download"):
        for typed, status, words in cases:
            response = await client.post(as_manager.url(path), data=form(email=typed))
            text = await response.text()
            assert response.status == status, (path, typed)
            assert "There is a problem" in text
            assert words in words_of(text)
            assert f'value="{html.escape(typed)}"' in text, "what was typed is kept"
            assert 'aria-invalid="true"' in text
    assert await audit_entries(store, "subject_access.") == []

    not_connected = await client.post(
        as_manager.url("/tab/subject-access/send"), data=form(email=PARENT.email)
    )
    assert not_connected.status == 503
    assert "the report could not be emailed. Nothing was sent." in words_of(
        await not_connected.text()
    )
    assert [e.action for e in await audit_entries(store, "subject_access.")] == [
        "subject_access.previewed"
    ]


async def inbox(sandbox: RunningSandbox, address: str) -> list[dict[str, str]]:
    async with aiohttp.ClientSession() as http:
        url = f"{sandbox.origin}/sandbox/api/people/{quote(address)}/messages"
        async with http.get(url) as response:
            assert response.status == 200
            return list((await response.json())["value"])


async def mime(sandbox: RunningSandbox, address: str, message_id: str) -> EmailMessage:
    async with aiohttp.ClientSession() as http:
        url = f"{sandbox.origin}/sandbox/api/people/{quote(address)}/messages/{message_id}/mime"
        async with http.get(url) as response:
            assert response.status == 200
            parsed = message_from_bytes(await response.read(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


async def test_the_manager_sends_a_subject_access_report_to_the_person(
    store: Store,
    client: aiohttp.ClientSession,
    manager_site: StaffServer,
    teams_sandbox: RunningSandbox,
) -> None:
    parent = await held_about_the_parent(store)
    found = await client.post(
        manager_site.url("/tab/subject-access"), data=form(email=f" {PARENT.email} ")
    )
    page = words_of(await found.text())
    assert found.status == 200
    assert f"What is held about {PARENT.email}" in page
    assert "Meetings you were invited to" in page
    assert REPLY_WORDS in page
    assert "Fine from the school's side." not in page
    assert SENCO.name not in page

    expected_html, expected_json = await report_now(store, PARENT.email)
    sent = await client.post(
        manager_site.url("/tab/subject-access/send"),
        data=form(email=PARENT.email),
        allow_redirects=False,
    )
    assert sent.status == 303
    assert PARENT.email not in sent.headers["Location"]
    after = await client.get(manager_site.url(sent.headers["Location"]))
    assert "The report was sent, with its two files attached." in words_of(await after.text())

    (email,) = await inbox(teams_sandbox, PARENT.email)
    assert email["subject"] == "The information we hold about you"
    assert CONSENT_MAILBOX.mail in email["from"]
    assert "You asked us for the information we hold about you" in email["text"]
    message = await mime(teams_sandbox, PARENT.email, email["id"])
    attached = {
        part.get_filename(): (part.get_content_type(), part.get_payload(decode=True))
        for part in message.iter_attachments()
    }
    day = f"{(await report_date(store)):%Y-%m-%d}"
    assert attached == {
        f"subject-access-report-{day}.html": ("text/html", expected_html),
        f"subject-access-report-{day}.json": ("application/json", expected_json),
    }
    assert json.loads(expected_json)["email"] == PARENT.email
    assert not await inbox(teams_sandbox, SENCO.email)

    previewed, audited_send = await audit_entries(store, "subject_access.")
    assert (previewed.action, audited_send.action) == (
        "subject_access.previewed",
        "subject_access.sent",
    )
    assert audited_send.actor == MANAGER_SESSION.object_id
    assert audited_send.subject_id == parent
    detail = json.loads(audited_send.detail)
    assert detail["sha256"] == hashlib.sha256(expected_html + b"\0" + expected_json).hexdigest()
    assert parent in detail["subject_ids"]
    for entry in (previewed, audited_send):
        assert "@" not in entry.detail
        assert PARENT.name not in entry.detail

    later, _ = await report_now(store, PARENT.email)
    assert b"A subject access report was emailed to the person it is about." in later


async def report_date(store: Store) -> datetime:
    async with store.reading() as uow:
        return uow.now()


async def test_the_download_is_the_same_report_as_the_export(
    store: Store, client: aiohttp.ClientSession, as_manager: StaffServer
) -> None:
    await held_about_the_parent(store)
    for file_format, content_type in (("html", "text/html"), ("json", "application/json")):
        expected_html, expected_json = await report_now(store, PARENT.email)
        response = await client.post(
            as_manager.url("/tab/subject-access/download"),
            data=form(email=PARENT.email, format=file_format),
        )
        assert response.status == 200
        assert response.content_type == content_type
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith('attachment; filename="subject-access-report-')
        assert disposition.endswith(f'.{file_format}"')
        assert "@" not in disposition
        assert await response.read() == (expected_html if file_format == "html" else expected_json)
    downloads = await audit_entries(store, "subject_access.")
    assert [entry.action for entry in downloads] == ["subject_access.downloaded"] * 2
    assert all("@" not in entry.detail for entry in downloads)
