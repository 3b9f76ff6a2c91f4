"""The bot's voice in a meeting's call (`CallVoice`): synthesise the text, serve it as a
prompt, and ask Graph to play it in the meeting's established call.

The operation is audited under its id in the spelling the finished prompt's notification is
audited in (`call_ids`), so the two entries match.

If the bot is not in an established call, nothing is said and that is audited. If the prompt
cannot be made or Graph refuses to play it, the meeting is marked as needing attention and
the failure audited; the caller carries on (what was to be said is also in the chat).
"""

from __future__ import annotations

from typing import Final

from bot.calling.call_ids import normalise_operation_id
from bot.calling.prompts import PromptShelf
from bot.graph.calls import CallNotPlaced, MeetingCalls
from bot.graph.failures import GRAPH_FAILURES
from bot.speech.backend import SynthesisError
from consent_store.audit import AuditEvent
from consent_store.unit_of_work import Store

ATTENTION: Final = "prompt_not_played"


class MeetingCallVoice:
    def __init__(self, store: Store, calls: MeetingCalls, shelf: PromptShelf) -> None:
        self._store = store
        self._calls = calls
        self._shelf = shelf

    async def say(self, meeting_id: str, text: str) -> None:
        """Play `text` as speech in the meeting's call, if the bot is in it."""
        async with self._store.reading() as uow:
            call_id = await uow.calls.established_call(meeting_id)
        if call_id is None:
            await self._audit(meeting_id, "call.not_spoken", {"reason": "not_in_call"})
            return
        try:
            prompt = await self._shelf.publish(text)
            operation_id = await self._calls.play_prompt(
                call_id, prompt.url, resource_id=prompt.key, client_context=prompt.key
            )
        except (SynthesisError, CallNotPlaced, *GRAPH_FAILURES) as failure:
            await self._audit(
                meeting_id,
                "call.prompt_failed",
                {"call": call_id, "error": type(failure).__name__},
                attention=True,
            )
            return
        await self._audit(
            meeting_id,
            "call.prompt_started",
            {
                "call": call_id,
                "operation": normalise_operation_id(operation_id),
                "prompt": prompt.key,
            },
        )

    async def _audit(
        self, meeting_id: str, action: str, detail: dict[str, str], *, attention: bool = False
    ) -> None:
        async with self._store.unit_of_work() as uow:
            if attention:
                (await uow.meetings.get(meeting_id)).needs_attention = ATTENTION
            await uow.audit(AuditEvent(action, meeting_id=meeting_id, detail=detail))
            await uow.commit()
