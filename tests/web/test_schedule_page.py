"""The scheduling form: the form's fields as a meeting request, problems listed with what was
typed kept, a clear answer when Microsoft 365 is not connected, and a real scheduling against
a sandbox tenant (Teams meeting, store, and the consent request in the parent's inbox)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer, unused_port
from markupsafe import escape
from sqlalchemy import func, select
from yarl import URL

from bot.config import Settings
from bot.graph.client import open_graph_client
from bot.graph.config import GraphClientConfig
from bot.graph.mailbox import ConsentMailbox
from bot.graph.meetings import OnlineMeetings
from bot.graph.tenant import TenantClients
from bot.services.meeting_request import PersonInput
from bot.services.scheduling import ScheduledMeeting
from bot.web.app import create_app
from bot.web.app_keys import TENANT_ACCESS
from bot.web.meeting_form import Problem, parse_form, problem_links
from bot.web.schedule_page import meeting_path
from consent_store.tables import MeetingRow
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
    seeded_tenant,
)
from tests.sandbox.conftest import RunningSandbox
from tests.tenant_flows.conftest import People
from tests.web.staff_site import (
    CSRF_TOKEN,
    STAFF_SESSION,
    StaffServer,
    forms_in,
    tenant_settings,
)

GOOD_FORM = {
    "csrf_token": CSRF_TOKEN,
    "title": "Planning meeting",
    "start": "2031-03-04T10:00",
    "end": "11:00",
    "role": "support-and-contribute",
    "record": "yes",
    "su-1-name": PARENT_CARER.display_name,
    "su-1-email": PARENT_CARER.address,
    "su-1-kind": "parent_carer",
    "su-2-kind": "parent_carer",
    "at-1-name": SENCO.display_name,
    "at-1-email": SENCO.address,
    "at-1-organisation": "Fellside Primary",
    "at-1-kind": "professional",
    "at-2-kind": "professional",
    "doc-1-title": "School report",
    "doc-1-url": "https://example.com/report.docx",
    "doc-2-title": "",
    "doc-2-url": "",
}


def with_changes(**changes: str) -> dict[str, str]:
    return {**GOOD_FORM, **{name.replace("_", "-"): value for name, value in changes.items()}}


def test_the_form_becomes_a_meeting_request_without_its_blank_rows() -> None:
    form = with_changes(
        su_3_name="Sam Carter", su_3_email="sam@example.org", su_3_kind="young_person"
    )
    request = parse_form(form, COORDINATOR.object_id)
    assert (request.start, request.end) == ("2031-03-04 10:00", "2031-03-04 11:00")
    assert (request.role, request.recording_wanted) == ("support-and-contribute", True)
    assert request.organiser_user_id == COORDINATOR.object_id
    assert request.people == (
        PersonInput(f"{PARENT_CARER.display_name} <{PARENT_CARER.address}>", "parent_carer"),
        PersonInput("Sam Carter <sam@example.org>", "young_person"),
        PersonInput(f"{SENCO.display_name} <{SENCO.address}>", "professional", "Fellside Primary"),
    )
    assert request.documents == (("School report", "https://example.com/report.docx"),)


def test_a_kind_from_the_other_list_is_not_taken_and_recording_is_off_unless_ticked() -> None:
    form = with_changes(su_1_kind="professional", at_1_kind="young_person")
    del form["record"]
    request = parse_form(form, COORDINATOR.object_id)
    assert [person.kind for person in request.people] == ["", ""]
    assert not request.recording_wanted


def test_an_end_without_a_start_day_is_left_for_the_checks_to_name() -> None:
    request = parse_form(with_changes(start="", end="11:00"), COORDINATOR.object_id)
    assert (request.start, request.end) == ("", "11:00")


def test_each_problem_links_to_its_field() -> None:
    form = with_changes(at_2_name="Jo Again", at_2_email=SENCO.address, doc_2_title="Notes")
    problems = [
        "Give the meeting a title.",
        "The start time has already passed.",
        "The meeting must end after it starts.",
        "Choose the role: support, or support and contribute.",
        f"{SENCO.address} is listed twice.",
        f"'{SENCO.display_name} <{SENCO.address}>' has an unknown kind ''.",
        "Document 'Notes' needs a title and an https link.",
        "Add at least one parent carer or young person: meetings are arranged on their behalf.",
    ]
    assert problem_links(problems, form) == [
        Problem(problems[0], "title"),
        Problem(problems[1], "start"),
        Problem(problems[2], "end"),
        Problem(problems[3], "role-support"),
        Problem(problems[4], "at-2-email"),
        Problem(problems[5], "at-1-name"),
        Problem(problems[6], "doc-2-title"),
        Problem(problems[7], "su-1-name"),
    ]


def test_the_meeting_page_is_flagged_when_something_needs_attention() -> None:
    done = ScheduledMeeting("m1", "IASS-ABCD2345", "https://join", None, 2)
    assert meeting_path(done) == "/tab/meetings/IASS-ABCD2345?done=scheduled"
    flagged = ScheduledMeeting("m1", "IASS-ABCD2345", "https://join", "bot_not_installed", 2)
    assert meeting_path(flagged) == (
        "/tab/meetings/IASS-ABCD2345?done=scheduled&attention=bot_not_installed"
    )


async def meeting_count(store: Store) -> int:
    async with store.unit_of_work() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(MeetingRow)) or 0)


async def test_the_form_is_there_for_signed_in_staff_with_one_row_in_each_group(
    signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    answer = await signed_in.get(staff_site.url("/tab/meetings/new"))
    assert answer.status == 200
    text = await answer.text()
    form = next(f for f in forms_in(text) if f.action == "/tab/meetings/new")
    assert form.method == "post"
    assert form.fields["csrf_token"] == CSRF_TOKEN
    assert form.radios["role"] == ["support", "support-and-contribute"]
    assert form.radios["su-1-kind"] == ["parent_carer", "young_person"]
    assert form.radios["at-1-kind"] == ["professional", "staff"]
    assert {"title", "start", "end", "su-1-email", "at-1-organisation", "doc-1-url"} <= (
        set(form.fields)
    )
    assert form.checkboxes["record"] is False
    assert "su-2-email" not in form.fields
    assert "at-2-email" not in form.fields
    assert 'type="datetime-local" id="start"' in text
    assert "When (UK time)" in text
    assert "to contribute to discussions with prior agreement of service user" in text
    for words in ("Add another service user", "Add another attendee", "Add another document"):
        assert words in text


async def test_add_another_shows_one_more_row_and_keeps_what_was_typed(
    store: Store, signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    answer = await post(signed_in, staff_site, with_changes(add="su"))
    assert answer.status == 200
    text = await answer.text()
    assert "There is a problem" not in text
    kept = next(f for f in forms_in(text) if f.action == "/tab/meetings/new")
    assert kept.fields["su-1-email"] == PARENT_CARER.address
    assert kept.fields["su-2-name"] == ""
    assert kept.fields["at-1-email"] == SENCO.address
    assert "at-2-name" not in kept.fields
    assert await meeting_count(store) == 0


async def post(
    client: aiohttp.ClientSession, server: StaffServer, form: Mapping[str, str]
) -> aiohttp.ClientResponse:
    return await client.post(server.url("/tab/meetings/new"), data=form, allow_redirects=False)


async def test_each_problem_names_its_field_once_beside_it_and_in_the_summary(
    store: Store, signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    form = with_changes(
        title="",
        start="",
        end="",
        role="",
        su_1_email="not-an-address",
        doc_1_url="http://example.com/report.docx",
    )
    answer = await post(signed_in, staff_site, form)
    assert answer.status == 400
    text = await answer.text()
    assert "There is a problem" in text
    assert 'tabindex="-1" autofocus' in text
    expected = (
        ("title", "Enter the meeting title."),
        ("start", "Enter the date and time the meeting starts."),
        ("end", "Enter the time the meeting ends, for example 11:00."),
        ("role-support", "Choose your role: support, or support and contribute."),
        (
            "su-1-email",
            escape(
                f"Enter the email address of service user 1 ({PARENT_CARER.display_name}) in "
                "the right form, like name@example.org."
            ),
        ),
        ("doc-1-url", "The link to document 1 (School report) must start with https://"),
    )
    for field, words in expected:
        assert f'<a href="#{field}">{words}</a>' in text
        assert (
            f'id="{field}-error"><span class="govuk-visually-hidden">Error:</span> {words}' in text
        )
        assert text.count(str(words)) == 2
    assert "parent carer or young person (service user 1)" not in text
    assert "not a date and time" not in text
    assert "needs a title" not in text
    assert 'aria-describedby="su-1-email-error" aria-invalid="true"' in text
    kept = next(f for f in forms_in(text) if f.action == "/tab/meetings/new")
    for name in ("su-1-name", "su-1-email", "at-1-organisation", "doc-1-url"):
        assert kept.fields[name] == form[name]
    assert await meeting_count(store) == 0


async def test_problems_only_the_whole_meeting_shows_are_found_after_the_fields(
    store: Store, signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    form = with_changes(start="2020-01-01T10:00", end="09:00")
    answer = await post(signed_in, staff_site, form)
    assert answer.status == 400
    text = await answer.text()
    for link, words in (
        ("end", "The meeting must end after it starts."),
        ("start", "The start time has already passed."),
    ):
        assert f'<a href="#{link}">{words}</a>' in text
        assert f'id="{link}-error"' in text
    assert 'value="yes" checked' in text
    assert await meeting_count(store) == 0


async def test_a_form_without_any_service_user_is_asked_for_one(
    store: Store, signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    form = with_changes(su_1_name="", su_1_email="")
    text = await (await post(signed_in, staff_site, form)).text()
    assert (
        '<a href="#su-1-name">Add a parent carer or young person (service user 1): the meeting '
        "is arranged on their behalf.</a>"
    ) in text


async def test_without_microsoft_365_nothing_is_scheduled_and_the_answers_are_kept(
    store: Store, signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    answer = await post(signed_in, staff_site, GOOD_FORM)
    assert answer.status == 503
    text = await answer.text()
    assert "the bot is not connected to Microsoft 365" in text
    kept = next(f for f in forms_in(text) if f.action == "/tab/meetings/new")
    assert kept.fields["title"] == "Planning meeting"
    assert 'name="role" value="support-and-contribute" checked' in text
    assert await meeting_count(store) == 0


@pytest.fixture
async def fresh_sandbox() -> AsyncIterator[RunningSandbox]:
    """A sandbox tenant of this test's own, so the parent's inbox starts empty."""
    tenant = seeded_tenant()
    runner = web.AppRunner(create_sandbox_app(tenant))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    yield RunningSandbox(f"http://127.0.0.1:{runner.addresses[0][1]}", runner.app, tenant)
    await runner.cleanup()


@pytest.fixture
async def connected_site(store: Store, fresh_sandbox: RunningSandbox) -> AsyncIterator[StaffServer]:
    """The staff pages with the bot's Graph clients open on the sandbox tenant."""
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
    async with open_graph_client(config) as graph:
        app[TENANT_ACCESS].clients = TenantClients(
            ConsentMailbox(graph, CONSENT_MAILBOX.mail),
            OnlineMeetings(graph, BOT_CATALOG_APP_ID, fresh_sandbox.graph_base_url),
        )
        async with TestServer(app, host="127.0.0.1", port=port):
            yield StaffServer(base_url, tenant, store)


async def test_a_good_form_schedules_the_meeting_in_teams_and_asks_the_parent(
    store: Store,
    client: aiohttp.ClientSession,
    connected_site: StaffServer,
    fresh_sandbox: RunningSandbox,
) -> None:
    name, value = await connected_site.session_cookie(STAFF_SESSION)
    client.cookie_jar.update_cookies({name: value}, response_url=URL(connected_site.base_url))

    answer = await post(client, connected_site, GOOD_FORM)
    assert answer.status == 303, await answer.text()
    location = answer.headers["Location"]
    assert location.startswith("/tab/meetings/IASS-")
    assert location.endswith("?done=scheduled")
    reference = location.removeprefix("/tab/meetings/").removesuffix("?done=scheduled")
    async with store.unit_of_work() as uow:
        row = await uow.meetings.by_reference(reference)
        assert row.organiser_user_id == COORDINATOR.object_id
        assert (row.needs_attention, row.recording_requested) == (None, True)
        teams_id = row.teams_meeting_id
    assert teams_id is not None
    teams_meeting = fresh_sandbox.tenant.meetings.get(teams_id)
    assert teams_meeting is not None
    assert not teams_meeting.allow_recording
    async with aiohttp.ClientSession() as http:
        inbox = await People(fresh_sandbox.origin, http).inbox(PARENT_CARER.address)
    assert [m for m in inbox if reference in m["subject"]]
    shown = await client.get(connected_site.url(location))
    assert "The meeting was scheduled." in await shown.text()
