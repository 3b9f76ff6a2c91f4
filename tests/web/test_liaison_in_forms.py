"""Permission to liaise asked from the scheduling and editing forms (issue 17, item 1): staff
name the professionals or organisations on the form, the parent carer is asked with the consent
request, agrees by email and later withdraws, and the meeting page follows each step; editing
the list asks about anyone new. A list that cannot be kept is refused in plain words beside its
field, what was typed kept, and nothing is created or changed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from html import unescape

import aiohttp
import pytest
from aiohttp.test_utils import TestServer, unused_port
from markupsafe import escape
from yarl import URL

from bot.config import ServiceProfile, Settings
from bot.graph.client import open_graph_client
from bot.graph.config import GraphClientConfig
from bot.graph.mailbox import ConsentMailbox
from bot.graph.meetings import OnlineMeetings
from bot.graph.tenant import TenantClients
from bot.mailbox.reader import MailboxReader
from bot.web.app import create_app
from bot.web.app_keys import TENANT_ACCESS
from consent_store.liaison import LiaisonRecords
from consent_store.unit_of_work import Store
from sandbox.seed import (
    BOT_CATALOG_APP_ID,
    BOT_CLIENT_ID,
    BOT_CLIENT_SECRET,
    CONSENT_MAILBOX,
    PARENT_CARER,
    SENCO,
)
from tests.conftest import FakeClock
from tests.sandbox.conftest import RunningSandbox
from tests.tenant_flows.conftest import People
from tests.web.staff_site import STAFF_SESSION, StaffServer, tenant_settings
from tests.web.test_edit_and_cancel import edit_form_of
from tests.web.test_legal_requests import words_of
from tests.web.test_schedule_page import fresh_sandbox, meeting_count, post, with_changes

__all__ = ["fresh_sandbox"]

SEND_TEAM = "Northshire SEND team, SEND officer"
SCHOOL = "Fellside Primary, SENCO"
HEALTH = "Northshire children's therapy service"


@dataclass
class Connected:
    site: StaffServer
    mailbox: ConsentMailbox
    people: People
    client: aiohttp.ClientSession


@pytest.fixture
async def connected(
    store: Store, fresh_sandbox: RunningSandbox, client: aiohttp.ClientSession
) -> AsyncIterator[Connected]:
    """The staff pages on the sandbox tenant, the client signed in as staff, and the consent
    mailbox the bot reads."""
    port = unused_port()
    base_url = f"http://localhost:{port}"
    tenant = tenant_settings(fresh_sandbox.origin, base_url)
    app = create_app(Settings(_env_file=None), store, tenant=tenant)
    config = GraphClientConfig(
        tenant_id=fresh_sandbox.tenant.tenant_id,
        client_id=BOT_CLIENT_ID,
        client_secret=BOT_CLIENT_SECRET,
        graph_base_url=fresh_sandbox.graph_base_url,
        authority_rewrite_to=fresh_sandbox.origin,
    )
    async with open_graph_client(config) as graph, aiohttp.ClientSession() as http:
        mailbox = ConsentMailbox(graph, CONSENT_MAILBOX.mail)
        app[TENANT_ACCESS].clients = TenantClients(
            mailbox, OnlineMeetings(graph, BOT_CATALOG_APP_ID, fresh_sandbox.graph_base_url)
        )
        async with TestServer(app, host="127.0.0.1", port=port):
            site = StaffServer(base_url, tenant, store)
            name, value = await site.session_cookie(STAFF_SESSION)
            client.cookie_jar.update_cookies({name: value}, response_url=URL(base_url))
            yield Connected(site, mailbox, People(fresh_sandbox.origin, http), client)


def liaison_section(page: str) -> str:
    """The words of the meeting page's liaison section."""
    start = page.index('id="liaison-heading"')
    return words_of(page[start : page.index("</section>", start)])


async def read_mail(store: Store, connected: Connected, clock: FakeClock) -> None:
    await MailboxReader(store, connected.mailbox, ServiceProfile()).catch_up()
    clock.now = datetime.now(UTC)


async def test_liaison_asked_from_the_form_agreed_and_withdrawn(
    store: Store, connected: Connected, clock: FakeClock
) -> None:
    clock.now = datetime.now(UTC)
    scheduled = await post(
        connected.client, connected.site, with_changes(liaison=f"{SEND_TEAM}\n\n  {SCHOOL}  \n")
    )
    assert scheduled.status == 303, await scheduled.text()
    reference = scheduled.headers["Location"].split("/")[-1].split("?")[0]
    (request,) = [
        m for m in await connected.people.inbox(PARENT_CARER.address) if reference in m["subject"]
    ]
    assert SEND_TEAM in request["text"]
    assert SCHOOL in request["text"]
    (to_school,) = [
        m for m in await connected.people.inbox(SENCO.address) if reference in m["subject"]
    ]
    assert SEND_TEAM not in to_school["text"], "only service users are asked about liaison"

    meeting_url = connected.site.url(f"/tab/meetings/{reference}")
    asked = liaison_section(await (await connected.client.get(meeting_url)).text())
    assert f"{SEND_TEAM}: liaison not permitted" in asked
    assert f"{SCHOOL}: liaison not permitted" in asked
    assert "has not replied" in asked

    await connected.people.reply(
        PARENT_CARER.address, f"please reply [{reference}]", "Recording: yes\nLiaison: yes"
    )
    await read_mail(store, connected, clock)
    agreed = liaison_section(await (await connected.client.get(meeting_url)).text())
    assert f"{SEND_TEAM}: liaison permitted" in agreed
    assert f"{SCHOOL}: liaison permitted" in agreed

    await connected.people.reply(
        PARENT_CARER.address, f"please reply [{reference}]", "I withdraw my consent to liaison"
    )
    await read_mail(store, connected, clock)
    withdrawn = liaison_section(await (await connected.client.get(meeting_url)).text())
    assert f"{SEND_TEAM}: liaison not permitted" in withdrawn
    assert "withdrew consent to staff liaising" in withdrawn


async def test_editing_the_list_asks_about_anyone_new_and_takes_others_off(
    store: Store, connected: Connected, clock: FakeClock
) -> None:
    clock.now = datetime.now(UTC)
    scheduled = await post(connected.client, connected.site, with_changes(liaison=SEND_TEAM))
    reference = scheduled.headers["Location"].split("/")[-1].split("?")[0]
    edit_url = connected.site.url(f"/tab/meetings/{reference}/edit")
    form_page = await (await connected.client.get(edit_url)).text()
    assert f">{escape(SEND_TEAM)}</textarea>" in form_page, "the list as it stands"
    fields = edit_form_of(form_page, reference)
    posted = {
        **{name: value for name, value in fields.items() if not name.startswith("remove-")},
        "role": "support-and-contribute",
        "record": "yes",
        "liaison": f"{HEALTH}\n{SCHOOL}",
    }
    changed = await connected.client.post(edit_url, data=posted, allow_redirects=False)
    assert changed.status == 303, await changed.text()

    requests = [
        m for m in await connected.people.inbox(PARENT_CARER.address) if reference in m["subject"]
    ]
    assert len(requests) == 2, "asked again about the professionals newly named"
    assert HEALTH in unescape(requests[-1]["text"])
    assert SEND_TEAM not in requests[-1]["text"]
    async with store.reading() as uow:
        meeting = await uow.meetings.by_reference(reference)
        listed = [o.name for o in await LiaisonRecords(uow).organisations(meeting.id)]
    assert listed == [HEALTH, SCHOOL]
    page = liaison_section(
        await (await connected.client.get(connected.site.url(f"/tab/meetings/{reference}"))).text()
    )
    assert SEND_TEAM not in page
    assert f"{HEALTH}: liaison not permitted" in page


async def test_a_list_that_cannot_be_kept_is_refused_and_nothing_is_made_or_changed(
    store: Store, connected: Connected, clock: FakeClock
) -> None:
    clock.now = datetime.now(UTC)
    eleven = "\n".join(f"Organisation {n}" for n in range(11))
    for typed, problem in (
        (eleven, "Name at most 10 professionals or organisations, one on each line."),
        (f"{SCHOOL}\n{SCHOOL.upper()}", "is named twice: name each one once."),
        ("x" * 201, "Each professional or organisation must be at most 200 characters"),
    ):
        answer = await post(connected.client, connected.site, with_changes(liaison=typed))
        text = await answer.text()
        assert answer.status == 400
        assert '<a href="#liaison">' in text
        assert 'id="liaison-error"' in text
        assert problem in unescape(text)
        assert f">{escape(typed)}</textarea>" in text, "what was typed is kept"
    assert await meeting_count(store) == 0

    scheduled = await post(connected.client, connected.site, with_changes(liaison=SEND_TEAM))
    reference = scheduled.headers["Location"].split("/")[-1].split("?")[0]
    edit_url = connected.site.url(f"/tab/meetings/{reference}/edit")
    fields = edit_form_of(await (await connected.client.get(edit_url)).text(), reference)
    refused = await connected.client.post(
        edit_url,
        data={
            **{n: v for n, v in fields.items() if not n.startswith("remove-")},
            "role": "support-and-contribute",
            "record": "yes",
            "title": "A new title",
            "liaison": eleven,
        },
    )
    assert refused.status == 400
    assert f">{escape(eleven)}</textarea>" in await refused.text()
    async with store.reading() as uow:
        meeting = await uow.meetings.by_reference(reference)
        title = uow.decrypt(meeting.title_enc, "meetings", "title", meeting.id)
        listed = [o.name for o in await LiaisonRecords(uow).organisations(meeting.id)]
    assert (title, listed) == ("Planning meeting", [SEND_TEAM]), "nothing changed"
