"""Fail closed: an objection to recording the store cannot take, on both engines, against the
sandbox tenant with the product's msgraph-sdk client. The meeting everyone agreed to record is
under way (Teams allows recording) when the database goes away and a parent writes "stop
recording": recording is switched off at once from what the recording guard remembers, and
the error is raised so that Teams delivers the message again. Delivered again once the store
is back, the objection is recorded as the parent's refusal and recording stays off for good."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.config import ServiceProfile
from bot.graph.mailbox import ConsentMailbox
from bot.graph.meetings import OnlineMeetings
from bot.services.in_meeting_objection import OBJECTION_DECIDED_BY, InMeetingObjections
from bot.services.live_meeting import ObjectionSource, TeamsPerson
from bot.services.meeting_start import StartSource
from bot.services.recording_guard import RecordingGuard
from bot.services.recording_setting import lock_down_and_confirm, without_store
from bot.services.scheduling import open_teams_meeting
from consent_store.readiness import STORE_FAILURES
from consent_store.tables import ConsentDecisionRow, MeetingRow
from consent_store.unit_of_work import Store
from domain.terms import Decision
from sandbox.seed import BOT_CATALOG_APP_ID, BOT_CLIENT_ID, COORDINATOR, PARENT_CARER
from tests.builders import reply
from tests.conftest import FakeClock
from tests.outage import Outage
from tests.sandbox.conftest import RunningSandbox
from tests.tenant_flows.conftest import parent_and_school_meeting

HOUR = timedelta(hours=1)


class Chat:
    def __init__(self) -> None:
        self.private: list[str] = []

    async def post(self, thread_id: str, text: str, card: dict[str, Any] | None = None) -> None:
        return None

    async def notify_privately(self, thread_id: str, object_ids: Sequence[str], text: str) -> None:
        self.private.append(text)


class Voice:
    async def say(self, meeting_id: str, text: str) -> None:
        return None


async def test_an_objection_the_store_cannot_take_still_switches_recording_off(
    tenant_sandbox: RunningSandbox,
    store: Store,
    mailbox: ConsentMailbox,
    clock: FakeClock,
    database_url: str,
) -> None:
    tenant_sandbox.tenant.sandbox_url = tenant_sandbox.origin
    meetings = OnlineMeetings(mailbox.graph, BOT_CATALOG_APP_ID, tenant_sandbox.graph_base_url)
    clock.now = datetime.now(UTC)
    start = clock.now + HOUR
    planned = parent_and_school_meeting(start)
    _, teams = await open_teams_meeting(
        meetings, COORDINATOR.object_id, planned.title, "", (start, planned.ends_at), ()
    )
    assert (await lock_down_and_confirm(meetings, COORDINATOR.object_id, teams.id))[0]
    async with store.unit_of_work() as uow:
        row = await uow.meetings.add(planned, uow.now())
        row.teams_meeting_id, row.teams_chat_thread_id = teams.id, teams.chat_thread_id
        row.teams_settings_confirmed_at = uow.now()
        attendees = {a.id: a for a in await uow.meetings.attendees(row.id)}
        parent_id = next(
            a.id
            for a in attendees.values()
            if uow.decrypt(a.name_enc, "attendees", "name", a.id) == PARENT_CARER.display_name
        )
        await uow.commit()
    for attendee_id in attendees:
        await reply(store, row.id, attendee_id, "x@example.org", received_at=clock.now - HOUR)
    await meetings.set_recording(COORDINATOR.object_id, teams.id, True)
    chat = Chat()
    guard = RecordingGuard(store, meetings, chat, Voice(), bot_app_id=BOT_CLIENT_ID)
    objections = InMeetingObjections(
        store,
        meetings,
        chat,
        ServiceProfile(),
        bot_app_id=BOT_CLIENT_ID,
        switch_off_without_store=guard.participant_unchecked,
    )
    tenant_sandbox.teams.create(teams.id)
    await tenant_sandbox.teams.start(teams.id)
    await guard.start_seen_in_chat(teams.chat_thread_id, StartSource.TEAMS_EVENT)
    teams_meeting = tenant_sandbox.tenant.meetings.get(teams.id)
    assert teams_meeting is not None
    assert teams_meeting.allow_recording
    parent = TeamsPerson("29:parent", PARENT_CARER.display_name)
    confirmed_before = without_store["confirmed"]

    outage = Outage(store, database_url)
    await outage.begin()
    try:
        with pytest.raises(STORE_FAILURES):
            await objections.objected(teams.chat_thread_id, parent, ObjectionSource.CHAT)
        assert not teams_meeting.allow_recording
        assert without_store["confirmed"] == confirmed_before + 1
    finally:
        await outage.end()

    reply_text = await objections.objected(teams.chat_thread_id, parent, ObjectionSource.CHAT)

    assert "switched off for the rest of this meeting" in reply_text
    assert not teams_meeting.allow_recording
    async with store.reading() as uow:
        meeting = await uow.session.get(MeetingRow, row.id)
        assert meeting is not None
        assert meeting.recording_closed_at is not None
        refusals = list(
            await uow.session.scalars(
                select(ConsentDecisionRow.attendee_id).where(
                    ConsentDecisionRow.meeting_id == row.id,
                    ConsentDecisionRow.decision == Decision.REFUSED.value,
                    ConsentDecisionRow.decided_by == OBJECTION_DECIDED_BY,
                )
            )
        )
    assert refusals == [parent_id]
    assert any("does not agree" in text for text in chat.private)
