"""A call's prompts take turns: the next waits until the one before has finished (its
notification), or until its length plus the margin has passed when that notification never
comes; a notification that arrives before Graph's answer still ends the turn; prompts in other
calls never wait."""

from __future__ import annotations

import asyncio
import time

from bot.calling.prompt_turns import PromptTurns


async def test_the_next_prompt_waits_for_the_finished_notification() -> None:
    turns = PromptTurns(margin_seconds=60)
    first = turns.take("call-a")
    assert not first.waits
    second = turns.take("call-a")
    assert second.waits
    turns.playing(first, "0fa3c6c2-5b1e-4c52-9e4a-3f1d2b7c8e90", seconds=60)
    waiting = asyncio.create_task(second.come())
    await asyncio.sleep(0.05)
    assert not waiting.done()

    turns.finished("0FA3C6C25B1E4C529E4A3F1D2B7C8E90")

    await asyncio.wait_for(waiting, timeout=1)
    assert not second.waits


async def test_a_lost_notification_holds_the_call_only_for_the_prompts_length_and_margin() -> None:
    turns = PromptTurns(margin_seconds=0.1)
    first = turns.take("call-a")
    second = turns.take("call-a")
    turns.playing(first, "op-1", seconds=0.2)
    began = time.monotonic()

    await asyncio.wait_for(second.come(), timeout=2)

    assert 0.25 <= time.monotonic() - began < 1.5


async def test_a_notification_before_the_answer_ends_the_turn_when_the_answer_comes() -> None:
    turns = PromptTurns(margin_seconds=60)
    first = turns.take("call-a")
    second = turns.take("call-a")
    turns.finished("op-1")
    turns.playing(first, "OP-1", seconds=60)

    await asyncio.wait_for(second.come(), timeout=1)


async def test_prompts_in_other_calls_do_not_wait_and_a_prompt_never_played_frees_its_turn() -> (
    None
):
    turns = PromptTurns(margin_seconds=60)
    speaking = turns.take("call-a")
    turns.playing(speaking, "op-1", seconds=60)
    assert not turns.take("call-b").waits

    refused = turns.take("call-a")
    after = turns.take("call-a")
    assert after.waits
    turns.finished("op-1")
    refused.end()

    await asyncio.wait_for(after.come(), timeout=1)
