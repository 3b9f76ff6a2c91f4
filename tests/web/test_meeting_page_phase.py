"""The meeting page says where the meeting is (scheduled, in progress, finished) as the home
list does, and, for someone with no answers shown, whether they are still to be asked or
nothing needs their consent (issue 19)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.web.meeting_page import (
    NOT_ASKED_YET,
    NOTHING_TO_ASK,
    meeting_view,
)
from bot.web.meeting_records import load_meeting, verdicts_for
from bot.web.meeting_view import MeetingView
from consent_store.unit_of_work import Store
from domain.terms import DeclaredRole
from tests.builders import MEETING_START, a_meeting, schedule
from tests.conftest import FakeClock


async def view_of(store: Store, meeting_id: str) -> MeetingView:
    async with store.reading() as uow:
        records = await load_meeting(uow, (await uow.meetings.get(meeting_id)).reference)
    return meeting_view(records, verdicts_for(records))


@pytest.mark.parametrize(
    ("at", "phase"),
    [
        (MEETING_START - timedelta(minutes=1), "Scheduled"),
        (MEETING_START, "In progress"),
        (MEETING_START + timedelta(hours=1), "Finished"),
    ],
)
async def test_the_status_follows_the_meeting(
    store: Store, clock: FakeClock, at: datetime, phase: str
) -> None:
    meeting_id, _ = await schedule(store)
    clock.now = at
    assert (await view_of(store, meeting_id)).status == phase


async def test_a_meeting_that_asks_nothing_waits_on_no_one(store: Store) -> None:
    meeting_id, _ = await schedule(
        store,
        a_meeting(recording_requested=False, documents=(), role=DeclaredRole.SUPPORT),
    )
    view = await view_of(store, meeting_id)
    assert view.recording.reasons == ("Recording was not requested when the meeting was arranged.",)
    assert {a.not_asked for a in view.attendees} == {NOTHING_TO_ASK}
    assert not [a for a in view.attendees if a.topics]


async def test_someone_still_to_be_asked_is_shown_as_not_asked_yet(store: Store) -> None:
    meeting_id, _ = await schedule(store)
    view = await view_of(store, meeting_id)
    assert NOT_ASKED_YET in {a.not_asked for a in view.attendees}
    assert any("has not replied" in reason for reason in view.recording.reasons)
