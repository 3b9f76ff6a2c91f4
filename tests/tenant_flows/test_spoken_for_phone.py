"""A service user who joins by phone hears what the chat is told (issue 18, part 5), with the bot
served as `make run` serves it beside the sandbox tenant and driven through the sandbox's
meeting controls: when the meeting's needs say the service user joins by phone, the reply to an
objection to recording is posted in the chat and also played as a prompt in the meeting's call;
without that need it is only posted."""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from bot.calling.prompts import SEALED_TEXT
from bot.config import Settings
from bot.graph.tenant import open_tenant
from bot.services.scheduling import schedule_meeting
from consent_store.records import IndividualNeeds
from consent_store.unit_of_work import seal_context
from sandbox.seed import COORDINATOR, SENCO
from tests.tenant_flows.conftest import parent_and_school_meeting
from tests.tenant_flows.test_bot_in_meeting import Running, chat_texts, eventually, running
from tests.tenant_flows.test_lobby_latecomers_objections import opened

__all__ = ["running"]

OBJECTION_SPOKEN = (
    "Recording is now switched off for the rest of this meeting, because someone here does not"
    " agree to it. Please do not record this meeting."
)
OBJECTION_POSTED = "Recording is now switched off for the rest of this meeting"


async def started_meeting(running: Running, needs: IndividualNeeds) -> str:
    """A meeting with the parent carer and the SENCO, with these needs, started in the sandbox
    with the bot's opening statement played; its onlineMeeting id."""
    start = datetime.now(UTC) + timedelta(days=2)
    async with open_tenant(running.tenant) as clients:
        made = await schedule_meeting(
            running.store,
            clients.meetings,
            clients.mailbox,
            Settings().service,
            replace(parent_and_school_meeting(start), needs=needs),
            COORDINATOR.display_name,
        )
    async with running.store.reading() as uow:
        online_meeting_id = (await uow.meetings.get(made.meeting_id)).teams_meeting_id
    assert online_meeting_id is not None
    await running.control("/meetings", {"onlineMeetingId": online_meeting_id})
    await running.control(f"/meetings/{quote(online_meeting_id)}/start")
    await opened(running, online_meeting_id)
    return online_meeting_id


def spoken(running: Running, state: dict[str, Any]) -> list[str]:
    """The text of each prompt the call played in full, opened from the text its URL seals."""
    texts = []
    for call in state["calls"]:
        for operation in call["operations"]:
            for prompt in operation["prompts"]:
                if not prompt["durationSeconds"] or prompt["problem"]:
                    continue
                key, token = prompt["uri"].removesuffix(".wav").split("/")[-2:]
                sealed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
                context = seal_context(*SEALED_TEXT, key)
                texts.append(running.store.cipher.decrypt(sealed, context=context))
    return texts


async def object_to_recording(running: Running, online_meeting_id: str) -> None:
    await running.control(
        f"/meetings/{quote(online_meeting_id)}/bot-mentions",
        {"from": SENCO.address, "text": "Please stop recording."},
    )


async def test_an_objection_is_said_in_the_call_when_the_service_user_joins_by_phone(
    running: Running,
) -> None:
    async with running.http.put(running.url("/calls/prompt-time-scale"), json={"scale": 0}):
        pass
    online = await started_meeting(running, IndividualNeeds())
    by_phone = await started_meeting(running, IndividualNeeds(joins_by_phone=True))

    await object_to_recording(running, online)
    await object_to_recording(running, by_phone)

    async def said_by_phone() -> bool:
        return OBJECTION_SPOKEN in spoken(running, await running.meeting(by_phone))

    await eventually(said_by_phone)
    by_phone_state = await running.meeting(by_phone)
    online_state = await running.meeting(online)
    assert spoken(running, by_phone_state)[1:] == [OBJECTION_SPOKEN]
    assert any(t.startswith(OBJECTION_POSTED) for t in chat_texts(by_phone_state))
    assert any(t.startswith(OBJECTION_POSTED) for t in chat_texts(online_state))
    assert len(spoken(running, online_state)) == 1
    assert OBJECTION_SPOKEN not in spoken(running, online_state)
    assert by_phone_state["allowRecording"] is False
    assert online_state["allowRecording"] is False
