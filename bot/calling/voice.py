"""The bot's voice in a meeting's call (`CallVoice`): synthesise the text, serve it as a
prompt, and ask Graph to play it in the meeting's established call.

A call's prompts are played one at a time, in the order said (`PromptTurns`): a prompt said
while an earlier one in the same call is still playing is synthesised at once and handed to a
task that asks Graph to play it when the earlier one has finished, so `say` never keeps its
caller (the calls inbox, the recording guard) waiting for another prompt. A prompt in an idle
call is asked for before `say` returns. Prompts in different calls do not wait for each other.

The operation is audited under its id in the spelling the finished prompt's notification is
audited in (`call_ids`), so the two entries match.

If the bot is not in an established call (or no longer is when a queued prompt's turn comes),
nothing is said and that is audited. If the prompt cannot be made or Graph refuses to play it,
the meeting is marked as needing attention and the failure audited; the caller carries on
(what was to be said is also in the chat).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Final

from bot.calling.prompt_turns import PromptTurns, Turn
from bot.calling.prompts import PromptShelf, PublishedPrompt
from bot.graph.calls import MeetingCalls
from bot.ports.call_ids import normalise_operation_id
from bot.ports.calls import CallNotPlaced
from bot.ports.failures import GRAPH_FAILURES
from bot.speech.backend import SynthesisError
from consent_store.audit import AuditEvent
from consent_store.unit_of_work import Store

ATTENTION: Final = "prompt_not_played"

log = logging.getLogger(__name__)


class MeetingCallVoice:
    def __init__(
        self,
        store: Store,
        calls: MeetingCalls,
        shelf: PromptShelf,
        turns: PromptTurns | None = None,
    ) -> None:
        self._store = store
        self._calls = calls
        self._shelf = shelf
        self._turns = turns or PromptTurns()
        self._waiting: set[asyncio.Task[None]] = set()

    async def say(self, meeting_id: str, text: str) -> None:
        """Play `text` as speech in the meeting's call, if the bot is in it: now when nothing
        else is playing in the call, otherwise after what is (in a task of its own)."""
        call_id = await self._established_call(meeting_id)
        if call_id is None:
            await self._audit(meeting_id, "call.not_spoken", {"reason": "not_in_call"})
            return
        turn = self._turns.take(call_id)
        if not turn.waits:
            await self._speak(meeting_id, call_id, text, turn, queued=False)
            return
        task = asyncio.create_task(self._speak(meeting_id, call_id, text, turn, queued=True))
        self._waiting.add(task)
        task.add_done_callback(self._spoken)

    async def settled(self) -> None:
        """Wait until every prompt said so far has been asked for (or given up)."""
        while self._waiting:
            await asyncio.wait(list(self._waiting))

    async def _established_call(self, meeting_id: str) -> str | None:
        async with self._store.reading() as uow:
            return await uow.calls.established_call(meeting_id)

    async def _speak(
        self, meeting_id: str, call_id: str, text: str, turn: Turn, *, queued: bool
    ) -> None:
        """Make the prompt, wait for the turn, play it; the turn ends at once if nothing was
        played, otherwise when the prompt finishes. A prompt `queued` behind another is played
        only if the call is still established when its turn comes, even if the turn came
        while its speech was being made."""
        operation_id = None
        try:
            try:
                prompt = await self._shelf.publish(text)
            except SynthesisError as failure:
                await self._failed(meeting_id, call_id, failure)
                return
            if queued:
                await turn.come()
                if await self._established_call(meeting_id) != call_id:
                    await self._audit(meeting_id, "call.not_spoken", {"reason": "call_ended"})
                    return
            operation_id = await self._play(meeting_id, call_id, prompt)
            if operation_id is None:
                return
            self._turns.playing(turn, operation_id, prompt.seconds)
        finally:
            if operation_id is None:
                turn.end()
        await self._audit(
            meeting_id,
            "call.prompt_started",
            {
                "call": call_id,
                "operation": normalise_operation_id(operation_id),
                "prompt": prompt.key,
            },
        )

    async def _play(self, meeting_id: str, call_id: str, prompt: PublishedPrompt) -> str | None:
        """Ask Graph to play the prompt: its operation id, or None (audited) when refused."""
        try:
            return await self._calls.play_prompt(
                call_id, prompt.url, resource_id=prompt.key, client_context=prompt.key
            )
        except (CallNotPlaced, *GRAPH_FAILURES) as failure:
            await self._failed(meeting_id, call_id, failure)
            return None

    async def _failed(self, meeting_id: str, call_id: str, failure: Exception) -> None:
        await self._audit(
            meeting_id,
            "call.prompt_failed",
            {"call": call_id, "error": type(failure).__name__},
            attention=True,
        )

    def _spoken(self, task: asyncio.Task[None]) -> None:
        self._waiting.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            log.error("a queued prompt was not played: %s", type(error).__name__)

    async def _audit(
        self, meeting_id: str, action: str, detail: dict[str, str], *, attention: bool = False
    ) -> None:
        async with self._store.unit_of_work() as uow:
            if attention:
                (await uow.meetings.get(meeting_id)).needs_attention = ATTENTION
            await uow.audit(AuditEvent(action, meeting_id=meeting_id, detail=detail))
            await uow.commit()
