"""Microsoft's documented meeting start and end examples, old shape (PascalCase `value`,
`channelData.meeting`) and new (a space before the event name, camelCase `value` with
`EndTime`, no `channelData.meeting`, a `localTimestamp` the SDK's model refuses), as the bot's
Teams endpoint reads them (its in-meeting use cases recorded, `tests/agent/conftest.py`): each
value reads as the bot reads it, the unreadable `localTimestamp` is left out in one log line,
and an event the bot has no handler for is logged by type and name. What people see of the
documented events, sent to the whole bot as served, is `test_served_activities.py`."""

from __future__ import annotations

import json
import logging
from typing import Any
from uuid import uuid4

import aiohttp
import pytest
from microsoft_teams.api.activities.event.meeting_end import MeetingEndEventValue
from microsoft_teams.api.activities.event.meeting_start import MeetingStartEventValue

from bot.agent.meeting_event_value import pascal_case_keys
from bot.agent.unhandled import unhandled_activities
from sandbox.botframework.tokens import channel_token
from tests.agent.conftest import LinkedMeeting, ServedBot
from tests.conformance.documented import documented
from tests.sandbox.conftest import RunningSandbox

STARTS = ["teams/meeting_start_2021.json", "teams/meeting_start_2023.json"]
ENDS = ["teams/meeting_end_2021.json", "teams/meeting_end_2023.json"]


def as_sent_to(activity: dict[str, Any], sandbox: RunningSandbox, thread_id: str) -> bytes:
    """The example with its identifiers replaced by the sandbox meeting's."""
    tenant_id = sandbox.tenant.tenant_id
    if "id" in activity:
        activity["id"] = uuid4().hex
    activity["serviceUrl"] = sandbox.tenant.connector_url
    activity["conversation"]["id"] = thread_id
    if "tenantId" in activity["conversation"]:
        activity["conversation"]["tenantId"] = tenant_id
    activity["channelData"]["tenant"]["id"] = tenant_id
    return json.dumps(activity).encode()


async def post(bot: ServedBot, sandbox: RunningSandbox, body: bytes) -> int:
    headers = {
        "Authorization": f"Bearer {channel_token(sandbox.tenant)}",
        "Content-Type": "application/json",
    }
    async with (
        aiohttp.ClientSession() as http,
        http.post(bot.messages_url, data=body, headers=headers) as response,
    ):
        return response.status


@pytest.mark.parametrize("name", [*STARTS, *ENDS])
def test_documented_values_read_as_the_bot_reads_them(name: str) -> None:
    documented_value = documented(name)["value"]
    model = MeetingStartEventValue if "start" in name else MeetingEndEventValue
    read = model.model_validate(pascal_case_keys(documented_value))
    assert read.title == documented_value.get("Title", documented_value.get("title"))


async def test_an_unreadable_local_timestamp_is_left_out_in_one_log_line(
    served_bot: ServedBot,
    sandbox: RunningSandbox,
    linked_meeting: LinkedMeeting,
    caplog: pytest.LogCaptureFixture,
) -> None:
    body = as_sent_to(
        documented("teams/meeting_start_2023.json"), sandbox, linked_meeting.thread_id
    )

    status = await post(served_bot, sandbox, body)

    assert status == 202
    assert served_bot.events.calls == [("started", linked_meeting.thread_id)]
    (line,) = [r for r in caplog.records if "localTimestamp" in r.getMessage()]
    assert line.levelno == logging.WARNING
    assert line.exc_info is None
    assert "2023" not in line.getMessage()
    assert not any(r.exc_info for r in caplog.records)


async def test_an_event_the_bot_does_not_handle_is_logged_by_type_and_name(
    served_bot: ServedBot,
    sandbox: RunningSandbox,
    linked_meeting: LinkedMeeting,
    caplog: pytest.LogCaptureFixture,
) -> None:
    activity = documented("teams/meeting_start_2023.json")
    activity["name"] = "application/vnd.microsoft.meetingReaction"
    key = ("event", "application/vnd.microsoft.meetingReaction")
    before = unhandled_activities[key]

    status = await post(
        served_bot, sandbox, as_sent_to(activity, sandbox, linked_meeting.thread_id)
    )

    assert status == 202
    assert served_bot.events.calls == []
    assert unhandled_activities[key] == before + 1
    (line,) = [r for r in caplog.records if r.name == "bot.agent.unhandled"]
    assert "application/vnd.microsoft.meetingReaction" in line.getMessage()
    assert "Example meeting" not in line.getMessage()
