"""The staff home's words for a meeting: where it is, and whether it may be recorded or what
is missing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.policy.blockers import Blocker, BlockerCode
from bot.policy.recording_gate import RecordingVerdict
from bot.web.meeting_status import meeting_phase, recording_in_words
from consent_store.overview import facts_without_presence
from consent_store.unit_of_work import Store
from domain.terms import Decision, Topic
from tests.builders import MEETING_START, PARENT, SENCO, a_meeting, reply, schedule

START = datetime(2026, 11, 10, 10, 0, tzinfo=UTC)
END = START + timedelta(hours=1)


@pytest.mark.parametrize(
    ("status", "started_at", "now", "phase"),
    [
        ("scheduled", None, START - timedelta(minutes=1), "Scheduled"),
        ("scheduled", START - timedelta(minutes=5), START - timedelta(minutes=1), "In progress"),
        ("scheduled", None, START, "In progress"),
        ("scheduled", None, END - timedelta(seconds=1), "In progress"),
        ("scheduled", START, END, "Finished"),
        ("scheduled", None, END + timedelta(days=3), "Finished"),
        ("cancelled", None, START - timedelta(days=1), "Cancelled"),
        ("cancelled", None, END + timedelta(days=1), "Cancelled"),
    ],
)
def test_the_status_follows_the_meeting(
    status: str, started_at: datetime | None, now: datetime, phase: str
) -> None:
    assert meeting_phase(status, START, END, started_at, now) == phase


def blockers(*codes: BlockerCode) -> RecordingVerdict:
    return RecordingVerdict(
        tuple(Blocker(code, Topic.RECORDING, f"a{n}") for n, code in enumerate(codes))
    )


@pytest.mark.parametrize(
    ("verdict", "words"),
    [
        (blockers(), "Permitted"),
        (blockers(BlockerCode.NO_REPLY), "Not permitted: 1 reply awaited"),
        (
            blockers(BlockerCode.NO_REPLY, BlockerCode.NO_REPLY, BlockerCode.REFUSED),
            "Not permitted: 2 replies awaited, 1 person said no",
        ),
        (
            blockers(BlockerCode.UNKNOWN_PARTICIPANT_PRESENT),
            "Not permitted: someone not invited is in the meeting",
        ),
        (
            blockers(BlockerCode.CLOSED_SINCE_START, BlockerCode.LATE_REPLY),
            "Not permitted: switched off since the meeting started, 1 reply came after the start",
        ),
        (
            blockers(BlockerCode.NO_SERVICE_USER),
            "Not permitted: no parent carer or young person is invited",
        ),
    ],
)
def test_recording_says_what_is_missing(verdict: RecordingVerdict, words: str) -> None:
    assert recording_in_words(verdict) == words


@pytest.mark.parametrize("code", list(BlockerCode))
def test_every_reason_has_words(code: BlockerCode) -> None:
    said = recording_in_words(blockers(code))
    assert said.startswith("Not permitted: ")
    assert "_" not in said


async def test_the_pages_facts_read_together_are_those_read_one_by_one(store: Store) -> None:
    first, (parent, senco, _) = await schedule(store)
    second, _ = await schedule(store, a_meeting(starts_at=MEETING_START - timedelta(days=1)))
    await reply(store, first, parent, PARENT.email)
    await reply(store, first, senco, SENCO.email, decision=Decision.REFUSED)
    async with store.reading() as uow:
        together = await facts_without_presence(uow.session, [first, second], uow.now())
        one_by_one = {m: await uow.meetings.facts(m, present=()) for m in (first, second)}
    assert together == one_by_one
