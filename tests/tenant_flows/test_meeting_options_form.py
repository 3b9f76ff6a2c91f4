"""The organiser switches recording on in the meeting options (the sandbox room page's form,
as Teams' meeting options change the onlineMeeting), and the bot's settings check switches it
back, audits it and tells the organiser (issue 14, against the sandbox, on both engines)."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import aiohttp
import pytest
from yarl import URL

from bot.config import ServiceProfile
from bot.graph.mailbox import ConsentMailbox
from bot.graph.meetings import OnlineMeetings
from bot.services.recording_enforcement import reconcile_recording
from consent_store.unit_of_work import Store
from sandbox.seed import BOT_CATALOG_APP_ID
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


@pytest.fixture
def service(env_without_iass: Path) -> ServiceProfile:
    return ServiceProfile()


@pytest.fixture
def meetings(mailbox: ConsentMailbox, tenant_sandbox: RunningSandbox) -> OnlineMeetings:
    return OnlineMeetings(mailbox.graph, BOT_CATALOG_APP_ID, tenant_sandbox.graph_base_url)


class _FormAsSent(HTMLParser):
    """The fields a browser sends for the form posting to an action ending `ending`: text and
    hidden inputs, ticked boxes, and each select's chosen option (else its first)."""

    def __init__(self, ending: str) -> None:
        super().__init__()
        self.ending = ending
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self._inside = False
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._inside = attributes.get("action", "").endswith(self.ending)
            if self._inside:
                self.action = attributes["action"]
        elif not self._inside:
            return
        elif tag == "input" and attributes.get("name"):
            if attributes.get("type") != "checkbox" or "checked" in attributes:
                self.fields[attributes["name"]] = attributes.get("value", "")
        elif tag == "select":
            self._select = attributes.get("name")
        elif (
            tag == "option"
            and self._select is not None
            and ("selected" in attributes or self._select not in self.fields)
        ):
            self.fields[self._select] = attributes.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inside = False
        elif tag == "select":
            self._select = None


def form_as_sent(html: str, ending: str) -> tuple[str, dict[str, str]]:
    reader = _FormAsSent(ending)
    reader.feed(html)
    assert reader.action is not None, f"no form posting to …{ending}"
    return reader.action, reader.fields


async def test_recording_switched_on_in_the_room_pages_meeting_options_is_switched_back(
    store: Store,
    meetings: OnlineMeetings,
    mailbox: ConsentMailbox,
    service: ServiceProfile,
    tenant_sandbox: RunningSandbox,
    clock: FakeClock,
) -> None:
    scheduled = await schedule(store, meetings, mailbox, service)
    meeting_id = scheduled.meeting_id
    teams = teams_meeting(tenant_sandbox, await stored(store, meeting_id))
    assert (teams.allow_recording, teams.record_automatically) == (False, False)

    async with aiohttp.ClientSession() as organiser:
        join_link = URL(scheduled.join_url, encoded=True).raw_path_qs
        room = await organiser.get(tenant_sandbox.url(join_link))
        action, fields = form_as_sent(await room.text(), "/options")
        assert "allowRecording" not in fields, "recording is off in the meeting options"
        fields |= {"allowRecording": "yes", "allowTranscription": "yes"}
        fields |= {"recordAutomatically": "yes"}
        saved = await organiser.post(tenant_sandbox.url(action), data=fields)
        assert "The meeting options were saved." in await saved.text()
    assert (teams.allow_recording, teams.allow_transcription, teams.record_automatically) == (
        True,
        True,
        True,
    )
    assert (teams.lobby_bypass_scope, teams.allowed_presenters) == ("organizer", "organizer")

    clock.now = START - timedelta(hours=24)
    await reconcile_recording(store, meetings, meeting_id, mailbox)

    assert (teams.allow_recording, teams.allow_transcription, teams.record_automatically) == (
        False,
        False,
        False,
    )
    assert [allowed for _, allowed in teams.allow_recording_changes[-2:]] == [True, False]
    actions = await audit_actions(store, meeting_id)
    assert actions.count("recording.settings_restored") == 1
    assert "meeting.lobby_restored" not in actions, "the lobby was left as it was"
    (notice,) = [m for m in organiser_inbox(tenant_sandbox) if scheduled.reference in m["Subject"]]
    assert "Teams no longer allows recording" in str(notice["Subject"])

    await reconcile_recording(store, meetings, meeting_id, mailbox)
    assert (await audit_actions(store, meeting_id)).count("recording.settings_restored") == 1
    assert teams.allow_recording is False
