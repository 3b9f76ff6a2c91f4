"""Staff change and cancel a meeting from its page: the edit form comes filled in, forms without
the page's token are refused, problems are named in plain words, and a change or a cancellation
made through Teams (the sandbox tenant) shows on the meeting's page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer, unused_port
from yarl import URL

from bot.config import Settings
from bot.graph.client import open_graph_client
from bot.graph.config import GraphClientConfig
from bot.graph.mailbox import ConsentMailbox
from bot.graph.meetings import OnlineMeetings
from bot.graph.tenant import TenantClients
from bot.services.scheduling import schedule_meeting
from bot.web.app import create_app
from bot.web.app_keys import TENANT_ACCESS
from consent_store.unit_of_work import Store
from sandbox.app import create_sandbox_app
from sandbox.seed import (
    BOT_CATALOG_APP_ID,
    BOT_CLIENT_ID,
    BOT_CLIENT_SECRET,
    CONSENT_MAILBOX,
    COORDINATOR,
    PARENT_CARER,
    SENCO,
    SEND_OFFICER,
    seeded_tenant,
)
from templates import UK_TIME
from tests.builders import a_meeting, schedule
from tests.conftest import FakeClock
from tests.sandbox.conftest import RunningSandbox
from tests.tenant_flows.conftest import People, parent_and_school_meeting
from tests.web.markup import row
from tests.web.staff_site import CSRF_TOKEN, STAFF_SESSION, StaffServer, forms_in, tenant_settings

START = (datetime.now(UTC) + timedelta(days=6)).replace(hour=10, minute=0, second=0, microsecond=0)
"""Mid-morning, so a form's end of "00:30" is before the start whenever the tests run (at the
time of day the tests ran, they failed between midnight and half past)."""


async def stored_meeting(store: Store) -> str:
    """A meeting in the store only (no Teams meeting); returns its reference."""
    meeting_id, _ = await schedule(store, a_meeting(starts_at=START))
    async with store.reading() as uow:
        return (await uow.meetings.get(meeting_id)).reference


def edit_form_of(html: str, reference: str) -> dict[str, str]:
    (form,) = [f for f in forms_in(html) if f.action == f"/tab/meetings/{reference}/edit"]
    assert form.method == "post"
    return form.fields


async def test_the_edit_form_is_filled_in_with_the_meeting_as_it_stands(
    store: Store, signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    reference = await stored_meeting(store)
    page = await (await signed_in.get(staff_site.url(f"/tab/meetings/{reference}"))).text()
    assert f'href="/tab/meetings/{reference}/edit"' in page
    assert any(f.action == f"/tab/meetings/{reference}/cancel" for f in forms_in(page))

    answer = await signed_in.get(staff_site.url(f"/tab/meetings/{reference}/edit"))
    assert answer.status == 200
    text = await answer.text()
    fields = edit_form_of(text, reference)
    assert fields["csrf_token"] == CSRF_TOKEN
    assert fields["title"] == "Annual review planning for Okafor-Bell family"
    uk_start = START.astimezone(UK_TIME)
    assert fields["start"] == f"{uk_start:%Y-%m-%dT%H:%M}"
    assert fields["end"] == f"{uk_start + timedelta(hours=1):%H:%M}"
    assert 'name="role" value="support-and-contribute" checked' in text
    assert 'name="record" value="yes" checked' in text
    (form,) = [f for f in forms_in(text) if f.action == f"/tab/meetings/{reference}/edit"]
    assert {"remove-attendee-0", "remove-attendee-1", "remove-attendee-2"} <= set(form.checkboxes)
    assert "Remove Rhiannon Okafor-Bell (Parent carer), rhiannon.okafor@example.org" in text
    assert "Remove Draft EHC plan section F" in text


async def test_forms_without_the_page_token_change_nothing(
    store: Store, signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    reference = await stored_meeting(store)
    edited = await signed_in.post(
        staff_site.url(f"/tab/meetings/{reference}/edit"),
        data={"title": "Forged", "start": "2031-01-01T10:00", "end": "11:00"},
        allow_redirects=False,
    )
    cancelled = await signed_in.post(
        staff_site.url(f"/tab/meetings/{reference}/cancel"),
        data={"confirm": "yes"},
        allow_redirects=False,
    )
    assert (edited.status, cancelled.status) == (403, 403)
    async with store.reading() as uow:
        meeting = await uow.meetings.by_reference(reference)
        title = uow.decrypt(meeting.title_enc, "meetings", "title", meeting.id)
    assert (meeting.status, title) == ("scheduled", "Annual review planning for Okafor-Bell family")


async def test_problems_are_named_and_what_was_typed_is_kept(
    store: Store, signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    reference = await stored_meeting(store)
    form_page = await signed_in.get(staff_site.url(f"/tab/meetings/{reference}/edit"))
    fields = edit_form_of(await form_page.text(), reference)
    posted = {
        **{name: value for name, value in fields.items() if not name.startswith("remove-")},
        "end": "00:30",
        "role": "support",
        "record": "yes",
        "remove-attendee-0": "yes",
        "at-1-name": "Second SENCO",
        "at-1-email": "t.wielgosz@school.example.net",
        "at-1-kind": "professional",
    }

    answer = await signed_in.post(staff_site.url(f"/tab/meetings/{reference}/edit"), data=posted)

    assert answer.status == 400
    text = await answer.text()
    assert "Nothing was changed" in text
    assert '<a href="#end">The meeting must end after it starts.</a>' in text
    assert '<a href="#su-1-name">Add at least one parent carer or young person' in text
    assert '<a href="#at-1-email">t.wielgosz@school.example.net is listed twice.</a>' in text
    assert 'name="remove-attendee-0" value="yes" checked' in text
    assert edit_form_of(text, reference)["at-1-name"] == "Second SENCO"
    async with store.reading() as uow:
        meeting = await uow.meetings.by_reference(reference)
        assert len(await uow.meetings.attendees(meeting.id)) == 3


async def test_without_microsoft_365_the_change_is_not_made(
    store: Store, signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    reference = await stored_meeting(store)
    form_page = await signed_in.get(staff_site.url(f"/tab/meetings/{reference}/edit"))
    fields = {
        **edit_form_of(await form_page.text(), reference),
        "title": "New title",
        "role": "support-and-contribute",
    }
    fields = {name: value for name, value in fields.items() if not name.startswith("remove-")}
    answer = await signed_in.post(staff_site.url(f"/tab/meetings/{reference}/edit"), data=fields)
    assert answer.status == 503
    assert "not connected to Microsoft 365" in await answer.text()


async def test_a_meeting_that_has_started_cannot_be_changed_or_cancelled(
    store: Store, clock: FakeClock, signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    meeting_id, _ = await schedule(
        store, a_meeting(starts_at=datetime.now(UTC) - timedelta(hours=1))
    )
    async with store.reading() as uow:
        reference = (await uow.meetings.get(meeting_id)).reference
    page = await (await signed_in.get(staff_site.url(f"/tab/meetings/{reference}"))).text()
    assert "already started, so it can no longer be changed or cancelled" in page
    assert f"/tab/meetings/{reference}/edit" not in page

    answer = await signed_in.get(staff_site.url(f"/tab/meetings/{reference}/edit"))
    assert answer.status == 409
    refused = await signed_in.post(
        staff_site.url(f"/tab/meetings/{reference}/cancel"),
        data={"csrf_token": CSRF_TOKEN, "confirm": "yes"},
    )
    assert refused.status == 409


@pytest.fixture
async def teams_sandbox() -> AsyncIterator[RunningSandbox]:
    tenant = seeded_tenant()
    runner = web.AppRunner(create_sandbox_app(tenant))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    yield RunningSandbox(f"http://127.0.0.1:{runner.addresses[0][1]}", runner.app, tenant)
    await runner.cleanup()


@pytest.fixture
async def teams_clients(teams_sandbox: RunningSandbox) -> AsyncIterator[TenantClients]:
    config = GraphClientConfig(
        tenant_id=teams_sandbox.tenant.tenant_id,
        client_id=BOT_CLIENT_ID,
        client_secret=BOT_CLIENT_SECRET,
        graph_base_url=teams_sandbox.graph_base_url,
        authority_rewrite_to=teams_sandbox.origin,
    )
    async with open_graph_client(config) as graph:
        yield TenantClients(
            ConsentMailbox(graph, CONSENT_MAILBOX.mail),
            OnlineMeetings(graph, BOT_CATALOG_APP_ID, teams_sandbox.graph_base_url),
        )


@pytest.fixture
async def connected(
    store: Store,
    teams_sandbox: RunningSandbox,
    teams_clients: TenantClients,
    client: aiohttp.ClientSession,
) -> AsyncIterator[StaffServer]:
    """The staff pages with the bot's Graph clients on the sandbox tenant, and the client
    signed in."""
    port = unused_port()
    base_url = f"http://localhost:{port}"
    tenant = tenant_settings(teams_sandbox.origin, base_url)
    app = create_app(Settings(_env_file=None), store, tenant=tenant)
    app[TENANT_ACCESS].clients = teams_clients
    async with TestServer(app, host="127.0.0.1", port=port):
        server = StaffServer(base_url, tenant, store)
        name, value = await server.session_cookie(STAFF_SESSION)
        client.cookie_jar.update_cookies({name: value}, response_url=URL(base_url))
        yield server


async def teams_meeting(store: Store, clients: TenantClients) -> str:
    """The co-ordinator's meeting with the parent carer and the SENCO, scheduled in Teams;
    returns its reference."""
    scheduled = await schedule_meeting(
        store,
        clients.meetings,
        clients.mailbox,
        Settings(_env_file=None).service,
        parent_and_school_meeting(START),
        COORDINATOR.display_name,
    )
    return scheduled.reference


async def test_a_change_is_made_in_teams_and_shows_on_the_meeting_page(
    store: Store,
    client: aiohttp.ClientSession,
    connected: StaffServer,
    teams_sandbox: RunningSandbox,
    teams_clients: TenantClients,
) -> None:
    reference = await teams_meeting(store, teams_clients)
    form_page = await client.get(connected.url(f"/tab/meetings/{reference}/edit"))
    text = await form_page.text()
    fields = edit_form_of(text, reference)
    assert 'name="role" value="support" checked' in text
    posted = {
        **{name: value for name, value in fields.items() if not name.startswith("remove-")},
        "title": "Planning meeting with the SEND officer",
        "role": "support",
        "record": "yes",
        "remove-attendee-1": "yes",
        "at-1-name": SEND_OFFICER.display_name,
        "at-1-email": SEND_OFFICER.address,
        "at-1-kind": "professional",
    }

    answer = await client.post(
        connected.url(f"/tab/meetings/{reference}/edit"), data=posted, allow_redirects=False
    )

    assert answer.status == 303, await answer.text()
    assert answer.headers["Location"] == f"/tab/meetings/{reference}?done=changed"
    page = await (await client.get(connected.url(answer.headers["Location"]))).text()
    assert "The meeting was changed." in page
    assert "Planning meeting with the SEND officer" in page
    no_longer = page[page.index("No longer invited") :]
    assert SENCO.display_name in no_longer
    assert SEND_OFFICER.display_name in page[: page.index("No longer invited")]
    async with store.reading() as uow:
        teams_id = (await uow.meetings.by_reference(reference)).teams_meeting_id
    teams = teams_sandbox.tenant.meetings.get(teams_id or "")
    assert teams is not None
    assert teams.subject == "Planning meeting with the SEND officer"
    assert [a.upn for a in teams.attendees] == [PARENT_CARER.address, SEND_OFFICER.address]
    async with aiohttp.ClientSession() as http:
        inbox = await People(teams_sandbox.origin, http).inbox(SEND_OFFICER.address)
    assert [m for m in inbox if reference in m["subject"]]


async def test_cancelling_asks_first_then_cancels_and_the_page_says_so(
    store: Store,
    client: aiohttp.ClientSession,
    connected: StaffServer,
    teams_sandbox: RunningSandbox,
    teams_clients: TenantClients,
) -> None:
    reference = await teams_meeting(store, teams_clients)
    cancel_url = connected.url(f"/tab/meetings/{reference}/cancel")

    asked = await client.post(cancel_url, data={"csrf_token": CSRF_TOKEN})
    assert asked.status == 200
    text = await asked.text()
    assert f"Cancel meeting {reference}?" in text
    assert "each of the 2 people invited will be emailed" in text
    (confirm,) = [f for f in forms_in(text) if f.action == f"/tab/meetings/{reference}/cancel"]
    assert confirm.fields == {"csrf_token": CSRF_TOKEN, "confirm": "yes"}
    async with store.reading() as uow:
        assert (await uow.meetings.by_reference(reference)).status == "scheduled"

    done = await client.post(cancel_url, data=confirm.fields, allow_redirects=False)

    assert done.status == 303
    assert done.headers["Location"] == f"/tab/meetings/{reference}?done=cancelled"
    page = await (await client.get(connected.url(done.headers["Location"]))).text()
    assert "The meeting was cancelled, and everyone invited has been emailed." in page
    assert row("Status", "Cancelled</dd>") in page
    assert "has been cancelled, so it cannot be changed" in page
    assert f"/tab/meetings/{reference}/edit" not in page
    async with aiohttp.ClientSession() as http:
        inbox = await People(teams_sandbox.origin, http).inbox(PARENT_CARER.address)
    assert [m for m in inbox if m["subject"].startswith("Cancelled")]
    again = await client.get(connected.url(f"/tab/meetings/{reference}/edit"))
    assert again.status == 409
