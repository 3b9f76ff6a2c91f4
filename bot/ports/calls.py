"""The bot's calls into Teams meetings: joining a meeting's call, and hanging up. What happens
in a call comes back as notifications (`bot.services.live_meeting.CallEvents`)."""

from __future__ import annotations

from typing import Protocol


class CallNotPlaced(RuntimeError):
    """Graph answered without the id of the call or operation it started."""


class Calls(Protocol):
    async def join(self, thread_id: str, organiser_id: str) -> str:
        """Join the call of the meeting whose chat is `thread_id`; the new call's id, as
        Graph wrote it (`bot.ports.call_ids.normalise_call_id` gives the stored spelling).
        `organiser_id` is the organiser's object id."""

    async def hang_up(self, call_id: str) -> None:
        """Leave the call."""
