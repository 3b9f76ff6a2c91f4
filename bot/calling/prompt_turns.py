"""Whose turn it is to speak in each call: the bot's prompts in one call are played one at a
time, in the order they were said, so a recording warning never talks over the opening
statement. Prompts in different calls do not wait for each other.

A prompt's turn ends when Graph says its playPrompt operation finished (the `deleted`
notification on `.../operations/{id}`, status completed or failed, which the calls inbox
passes on with `finished`), or, should that notification be lost or reach another instance,
once the prompt's length plus `MARGIN_SECONDS` has passed since Graph accepted it, so one lost
notification cannot keep the bot silent for the rest of the call. Teams also queues a call's
prompts ("call: cancelMediaProcessing", https://learn.microsoft.com/graph/api/call-cancelmediaprocessing);
waiting here as well keeps them in the order said and lets each be audited when it starts.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from typing import Final

from bot.ports.call_ids import normalise_operation_id

MARGIN_SECONDS: Final = 10.0
"""Beyond a prompt's length: time for Teams to fetch the WAV and for the notification."""
FINISHED_EARLY_KEPT: Final = 256


class Turn:
    """One prompt's place in its call's queue."""

    def __init__(self, before: asyncio.Future[None] | None) -> None:
        self._before = before
        self.over: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    @property
    def waits(self) -> bool:
        """Whether an earlier prompt in the call has not finished yet."""
        return self._before is not None and not self._before.done()

    async def come(self) -> None:
        """Wait until every earlier prompt in the call has finished."""
        if self._before is not None:
            await asyncio.shield(self._before)

    def end(self) -> None:
        if not self.over.done():
            self.over.set_result(None)


class PromptTurns:
    """The queue of prompts in each call (by call id), and the prompts playing (by operation)."""

    def __init__(self, margin_seconds: float = MARGIN_SECONDS) -> None:
        self._margin = margin_seconds
        self._last: dict[str, Turn] = {}
        self._playing: dict[str, tuple[Turn, asyncio.TimerHandle]] = {}
        self._finished_early: OrderedDict[str, None] = OrderedDict()

    def take(self, call_id: str) -> Turn:
        """The next turn in the call, after every prompt queued in it so far."""
        before = self._last.get(call_id)
        turn = Turn(before.over if before is not None else None)
        self._last[call_id] = turn
        turn.over.add_done_callback(lambda _: self._forget(call_id, turn))
        return turn

    def playing(self, turn: Turn, operation_id: str, seconds: float) -> None:
        """Graph accepted the turn's prompt as `operation_id`: the turn ends when it finishes,
        or `seconds` plus the margin from now."""
        operation = normalise_operation_id(operation_id)
        if operation in self._finished_early:
            del self._finished_early[operation]
            turn.end()
            return
        timer = asyncio.get_running_loop().call_later(
            seconds + self._margin, self._ended, operation
        )
        self._playing[operation] = (turn, timer)

    def finished(self, operation_id: str) -> None:
        """Graph says the playPrompt operation finished (completed or failed)."""
        operation = normalise_operation_id(operation_id)
        if operation in self._playing:
            self._ended(operation)
            return
        self._finished_early[operation] = None
        while len(self._finished_early) > FINISHED_EARLY_KEPT:
            self._finished_early.popitem(last=False)

    def _ended(self, operation: str) -> None:
        playing = self._playing.pop(operation, None)
        if playing is not None:
            turn, timer = playing
            timer.cancel()
            turn.end()

    def _forget(self, call_id: str, turn: Turn) -> None:
        if self._last.get(call_id) is turn:
            del self._last[call_id]
