"""The bot in a meeting, served as `make run` serves it beside the sandbox tenant, driven only
through the sandbox's meeting controls (issue 14 parts 4 and 5):

- the bot waits in the lobby (the meeting lets only the organiser in directly), says nothing
  there, and once admitted plays the opening statement and posts its card;
- a latecomer hears the short statement, spoken in the call and in the chat; two people
  joining together hear it once, and someone leaving and coming back does not hear it again;
- an objection in the chat ("stop recording" to the bot) switches Teams' recording off at once
  for the rest of the meeting, is kept as the parent's refusal (never consent), audited, and
  the organiser is told privately; the card's button objects as well; a question goes to the
  organiser."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from sqlalchemy import select

from bot.config import Settings
from bot.graph.tenant import open_tenant
from bot.policy.objection import OBJECT_ACTION
from bot.services.in_meeting_objection import OBJECTION_DECIDED_BY
from bot.services.scheduling import schedule_meeting
from consent_store.tables import AuditEntryRow, ConsentDecisionRow, MeetingRow
from sandbox.seed import ADVISER, COORDINATOR, PARENT_CARER, SENCO
from tests.tenant_flows.conftest import People, parent_and_school_meeting
from tests.tenant_flows.test_bot_in_meeting import Running, chat_texts, eventually, running

__all__ = ["running"]

LATECOMER = "For anyone who has just joined"


async def scheduled_meeting(running: Running, *, everyone_agrees: bool) -> tuple[str, str]:
    """A meeting with the parent carer and the SENCO; the store's id and the onlineMeeting's."""
    start = datetime.now(UTC) + timedelta(days=2)
    async with open_tenant(running.tenant) as clients:
        made = await schedule_meeting(
            running.store,
            clients.meetings,
            clients.mailbox,
            Settings().service,
            parent_and_school_meeting(start),
            COORDINATOR.display_name,
        )
    if everyone_agrees:
        people = People(running.origin, running.http)
        await people.reply(PARENT_CARER.address, made.reference, "Yes to all of it.")
        await people.reply(SENCO.address, made.reference, "Yes, I agree to recording.")
    async with running.store.reading() as uow:
        online_meeting_id = (await uow.meetings.get(made.meeting_id)).teams_meeting_id
    assert online_meeting_id is not None
    async with running.http.put(running.url("/calls/prompt-time-scale"), json={"scale": 0}):
        pass
    await running.control("/meetings", {"onlineMeetingId": online_meeting_id})
    return made.meeting_id, online_meeting_id


def prompts_played(state: dict[str, Any]) -> int:
    return sum(
        1
        for call in state["calls"]
        for operation in call["operations"]
        for prompt in operation["prompts"]
        if prompt["durationSeconds"] and not prompt["problem"]
    )


async def opened(running: Running, online_meeting_id: str) -> None:
    async def card_and_prompt() -> bool:
        state = await running.meeting(online_meeting_id)
        texts = chat_texts(state)
        return prompts_played(state) >= 1 and any(COORDINATOR.display_name in t for t in texts)

    await eventually(card_and_prompt)


async def audit_actions(running: Running, meeting_id: str) -> list[str]:
    async with running.store.reading() as uow:
        return list(
            await uow.session.scalars(
                select(AuditEntryRow.action).where(AuditEntryRow.meeting_id == meeting_id)
            )
        )


async def test_the_bot_waits_in_the_lobby_is_admitted_and_speaks(running: Running) -> None:
    async with running.http.put(running.url("/calls/lobby"), json={"holdsBots": True}) as put:
        assert put.status == 200
    _, online_meeting_id = await scheduled_meeting(running, everyone_agrees=False)
    meeting_path = f"/meetings/{quote(online_meeting_id)}"
    assert (await running.meeting(online_meeting_id))["allowRecording"] is False

    await running.control(f"{meeting_path}/start")

    async def waiting_in_lobby() -> bool:
        calls = (await running.meeting(online_meeting_id))["calls"]
        return [(c["state"], c["inLobby"]) for c in calls] == [("establishing", True)]

    await eventually(waiting_in_lobby)
    state = await running.meeting(online_meeting_id)
    assert prompts_played(state) == 0
    assert chat_texts(state) == []

    await running.control(f"{meeting_path}/lobby/admit-bot")

    await opened(running, online_meeting_id)
    state = await running.meeting(online_meeting_id)
    assert [(c["state"], c["inLobby"]) for c in state["calls"]] == [("established", False)]
    assert prompts_played(state) == 1


async def test_a_latecomer_hears_the_short_statement(running: Running) -> None:
    meeting_id, online_meeting_id = await scheduled_meeting(running, everyone_agrees=False)
    meeting_path = f"/meetings/{quote(online_meeting_id)}"
    await running.control(f"{meeting_path}/start")
    await opened(running, online_meeting_id)
    participants = f"{meeting_path}/participants"

    await running.control(participants, {"user": PARENT_CARER.address})

    async def told(times: int) -> bool:
        state = await running.meeting(online_meeting_id)
        said = [t for t in chat_texts(state) if t.startswith(LATECOMER)]
        return len(said) == times and prompts_played(state) == 1 + times

    await eventually(lambda: told(1))
    (statement,) = [
        t for t in chat_texts(await running.meeting(online_meeting_id)) if t.startswith(LATECOMER)
    ]
    assert COORDINATOR.display_name in statement
    assert "must not be recorded" in statement
    assert "stop recording" in statement
    assert PARENT_CARER.display_name not in statement

    await running.control(participants, {"user": SENCO.address})
    await running.control(participants, {"user": ADVISER.object_id})
    await eventually(lambda: told(2))

    parent_id = next(
        p["user"]["id"]
        for p in (await running.meeting(online_meeting_id))["participants"]
        if p["user"]["name"] == PARENT_CARER.display_name
    )
    leaving = running.url(f"{participants}/{quote(parent_id)}")
    async with running.http.delete(leaving) as left:
        assert left.status == 200
    await running.control(participants, {"user": PARENT_CARER.address})
    await running.control(participants, {"anonymousName": "Pat Stranger"})
    await eventually(lambda: told(3))

    async def audited_as_one_two_one() -> bool:
        details = await _details(running, meeting_id, "meeting.latecomers_told")
        return [json.loads(detail)["people"] for detail in details] == [1, 2, 1]

    await eventually(audited_as_one_two_one)


async def _details(running: Running, meeting_id: str, action: str) -> list[str]:
    async with running.store.reading() as uow:
        return list(
            await uow.session.scalars(
                select(AuditEntryRow.detail)
                .where(AuditEntryRow.meeting_id == meeting_id, AuditEntryRow.action == action)
                .order_by(AuditEntryRow.seq)
            )
        )


async def test_an_objection_in_the_chat_switches_recording_off(running: Running) -> None:
    meeting_id, online_meeting_id = await scheduled_meeting(running, everyone_agrees=True)
    meeting_path = f"/meetings/{quote(online_meeting_id)}"

    async def recording_allowed() -> bool:
        return (await running.meeting(online_meeting_id))["allowRecording"] is True

    await eventually(recording_allowed)
    await running.control(f"{meeting_path}/start")
    await opened(running, online_meeting_id)
    await running.control(f"{meeting_path}/participants", {"user": PARENT_CARER.address})
    await running.control(f"{meeting_path}/participants", {"user": SENCO.address})
    assert (await running.meeting(online_meeting_id))["allowRecording"] is True

    await running.control(
        f"{meeting_path}/bot-mentions",
        {"from": PARENT_CARER.address, "text": "Please stop recording."},
    )

    state = await running.meeting(online_meeting_id)
    assert state["allowRecording"] is False
    assert any("switched off for the rest of this meeting" in t for t in chat_texts(state))
    assert "does not agree to it being recorded" in json.dumps(state["notifications"])
    async with running.store.reading() as uow:
        meeting = await uow.session.get(MeetingRow, meeting_id)
        assert meeting is not None
        assert meeting.recording_closed_at is not None
        assert meeting.teams_recording_allowed is False
        decisions = (
            await uow.session.execute(
                select(ConsentDecisionRow.decision, ConsentDecisionRow.decided_by).where(
                    ConsentDecisionRow.meeting_id == meeting_id,
                    ConsentDecisionRow.decided_by == OBJECTION_DECIDED_BY,
                )
            )
        ).all()
    assert [tuple(d) for d in decisions] == [("refused", OBJECTION_DECIDED_BY)]
    (objection,) = await _details(running, meeting_id, "recording.objection")
    assert json.loads(objection) | {"closed_now": True} == {
        "source": "chat",
        "by": "attendee",
        "recorded_as": "refusal",
        "refusal_recorded": True,
        "closed_now": True,
    }
    assert PARENT_CARER.display_name not in objection

    await running.control(
        f"{meeting_path}/card-actions", {"from": SENCO.address, "data": {"action": OBJECT_ACTION}}
    )
    await running.control(
        f"{meeting_path}/bot-mentions",
        {"from": SENCO.address, "text": "what happens to the notes?"},
    )
    state = await running.meeting(online_meeting_id)
    assert state["allowRecording"] is False
    assert len(await _details(running, meeting_id, "recording.objection")) == 2
    assert "meeting.chat_question" in await audit_actions(running, meeting_id)
    assert any("passed your message" in t for t in chat_texts(state))
    async with running.http.post(
        running.url(f"{meeting_path}/recording/start"), json={"by": COORDINATOR.object_id}
    ) as refused:
        assert refused.status == 403
