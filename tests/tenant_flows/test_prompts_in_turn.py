"""The bot never talks over itself in a call: things said in quick succession (a recording
warning while the opening statement still plays) are asked of Graph one at a time, in the
order said, each after the one before has finished playing in the sandbox, on both engines.
A prompt said behind another whose call ends while its speech is still being made is not asked
of Graph (it would be refused, and the meeting marked as needing attention): it is audited as
not spoken."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from bot.calling.prompts import PromptShelf
from bot.calling.voice import MeetingCallVoice
from bot.graph.mailbox import ConsentMailbox
from bot.speech.espeak import EspeakBackend
from consent_store.unit_of_work import Store
from domain.terms import DeclaredRole
from tests.sandbox.conftest import RunningSandbox
from tests.tenant_flows import test_meeting_opening as opening
from tests.tenant_flows.test_meeting_opening import Bot, audited, calls_into, scheduled

bot = opening.bot
"""One bot instance with its calls inbox and voice (the opening test's fixture)."""

LONG = "Please wait a moment. The meeting will begin when everyone has joined."
SHORT = "Stop."
MIDDLE = "Recording is switched off."
PLAYING_SPEED = 0.25
"""Prompts play in a quarter of their length: the long one (4 s) still plays for a second, far
longer than the bot takes to make the next and ask for it, as it would if it did not wait."""


async def test_things_said_in_quick_succession_play_one_after_another_in_order(
    bot: Bot, store: Store, mailbox: ConsentMailbox, tenant_sandbox: RunningSandbox
) -> None:
    meeting = await scheduled(store, mailbox, tenant_sandbox, DeclaredRole.SUPPORT)
    tenant_sandbox.teams.create(meeting.online_meeting_id)
    await tenant_sandbox.teams.start(meeting.online_meeting_id)
    await bot.opening.meeting_started(meeting.thread_id)
    await bot.settle()
    tenant_sandbox.tenant.prompt_time_scale = PLAYING_SPEED

    for text in (LONG, SHORT, MIDDLE):
        await bot.voice.say(meeting.meeting_id, text)
    await bot.settle()

    (call,) = calls_into(tenant_sandbox, meeting.thread_id)
    _, *said = call.operations.values()
    assert [operation.status for operation in said] == ["completed"] * 3
    assert [operation.asked_during for operation in said] == [None] * 3
    for before, after in itertools.pairwise(said):
        assert before.finished_at is not None
        assert after.requested_at >= before.finished_at
    lengths = [operation.prompts[0].duration_seconds or 0 for operation in said]
    assert lengths[0] > lengths[2] > lengths[1]
    assert (await audited(store, meeting.meeting_id)).count("call.prompt_started") == 4


class HeldSpeech:
    """espeak-ng, each prompt's speech made only once `release` is set: speech that takes as
    long as the test says."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self._espeak = EspeakBackend()

    @property
    def name(self) -> str:
        return self._espeak.name

    @property
    def voice(self) -> str:
        return self._espeak.voice

    async def synthesise(self, text: str) -> bytes:
        await self.release.wait()
        return await self._espeak.synthesise(text)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_prompt_queued_whose_call_ends_while_its_speech_is_made_is_not_asked_for(
    bot: Bot, store: Store, mailbox: ConsentMailbox, tenant_sandbox: RunningSandbox
) -> None:
    meeting = await scheduled(store, mailbox, tenant_sandbox, DeclaredRole.SUPPORT)
    tenant_sandbox.teams.create(meeting.online_meeting_id)
    await tenant_sandbox.teams.start(meeting.online_meeting_id)
    await bot.opening.meeting_started(meeting.thread_id)
    await bot.settle()
    tenant_sandbox.tenant.prompt_time_scale = 1
    await bot.voice.say(meeting.meeting_id, SHORT)
    held = HeldSpeech()
    shelf = PromptShelf(held, "http://127.0.0.1:9", store.cipher)
    slow = MeetingCallVoice(store, bot.calls, shelf, bot.inbox.prompt_turns)

    await slow.say(meeting.meeting_id, MIDDLE)
    await bot.opening.meeting_ended(meeting.thread_id)
    await bot.settle()
    held.release.set()
    await slow.settled()

    (call,) = calls_into(tenant_sandbox, meeting.thread_id)
    assert len(call.operations) == 2
    trail = await audited(store, meeting.meeting_id)
    assert trail[-1] == "call.not_spoken"
    assert "call.prompt_failed" not in trail
