"""The periodic settings check also puts back the lobby and the presenters when someone changes
them in the meeting options, without touching recording; audited and the organiser told, by
the meeting's title with a link to its page; a Graph failure is audited and the next check puts
them back (issue 14, against the sandbox)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import ServiceProfile
from bot.graph.mailbox import ConsentMailbox
from bot.graph.meetings import OnlineMeetings
from bot.services.recording_enforcement import reconcile_recording
from consent_store.unit_of_work import Store
from sandbox.seed import BOT_CATALOG_APP_ID
from templates.audit_words import action_sentence
from tests.conftest import FakeClock
from tests.sandbox.conftest import RunningSandbox
from tests.tenant_flows.test_calendar_meetings import (
    START,
    audit_actions,
    organiser_inbox,
    schedule,
    stored,
    teams_meeting,
)

PUT_BACK = "the lobby and presenters were put back"
PAGES = "https://iass.example.org/tab/meetings/"


@pytest.fixture
def service(env_without_iass: Path) -> ServiceProfile:
    return ServiceProfile()


@pytest.fixture
def meetings(mailbox: ConsentMailbox, tenant_sandbox: RunningSandbox) -> OnlineMeetings:
    return OnlineMeetings(mailbox.graph, BOT_CATALOG_APP_ID, tenant_sandbox.graph_base_url)


async def test_a_lobby_opened_in_the_meeting_options_is_closed_again_and_the_organiser_told(
    store: Store,
    meetings: OnlineMeetings,
    mailbox: ConsentMailbox,
    service: ServiceProfile,
    tenant_sandbox: RunningSandbox,
    clock: FakeClock,
) -> None:
    scheduled = await schedule(store, meetings, mailbox, service)
    linking = ConsentMailbox(mailbox.graph, mailbox.address, meeting_pages=PAGES)
    teams = teams_meeting(tenant_sandbox, await stored(store, scheduled.meeting_id))
    teams.lobby_bypass_scope = "everyone"
    teams.allowed_presenters = "everyone"

    clock.now = START - timedelta(hours=24)
    tenant_sandbox.tenant.faults.fail(1, status=500, method="PATCH")
    await reconcile_recording(store, meetings, scheduled.meeting_id, mailbox)
    assert (teams.lobby_bypass_scope, teams.allowed_presenters) == ("everyone", "everyone")
    actions = await audit_actions(store, scheduled.meeting_id)
    assert "meeting.lobby_not_restored" in actions
    assert "meeting.lobby_restored" not in actions
    assert teams.allow_recording is False, "recording stays as the gate has it"

    await reconcile_recording(store, meetings, scheduled.meeting_id, linking)
    assert (teams.lobby_bypass_scope, teams.allowed_presenters) == ("organizer", "organizer")
    assert teams.allow_recording is False
    assert "meeting.lobby_restored" in await audit_actions(store, scheduled.meeting_id)
    assert "put back" in action_sentence("meeting.lobby_restored")
    assert "tries again" in action_sentence("meeting.lobby_not_restored")
    (notice,) = [m for m in organiser_inbox(tenant_sandbox) if PUT_BACK in str(m["Subject"])]
    assert scheduled.reference in str(notice["Subject"])
    body = notice.get_body(preferencelist=("plain",))
    assert body is not None
    assert "everyone but you waits in the lobby until admitted" in body.get_content()
    assert f"“Planning meeting” ({scheduled.reference})" in body.get_content()
    html = notice.get_body(preferencelist=("html",))
    assert html is not None
    assert f'<a href="{PAGES}{scheduled.reference}">' in html.get_content()

    await reconcile_recording(store, meetings, scheduled.meeting_id, mailbox)
    actions = await audit_actions(store, scheduled.meeting_id)
    assert actions.count("meeting.lobby_restored") == 1, "nothing to put back the next time"
