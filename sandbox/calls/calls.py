"""Calls the bot has placed through Graph cloud communications (joining a meeting with
service-hosted media): their state, the ids they give each participant, and the prompts
played in them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sandbox.ids import new_guid

CallState = Literal["establishing", "established", "terminating", "terminated"]
OperationStatus = Literal["notStarted", "running", "completed", "failed"]


def comparable_call_id(call_id: str) -> str:
    """Call ids compared as Teams writes them: any case, with or without hyphens."""
    return call_id.replace("-", "").lower()


@dataclass(frozen=True)
class PlayedPrompt:
    """One prompt of a playPrompt operation: the WAV the sandbox fetched and "played" from
    `at` for its duration, or why it could not."""

    uri: str
    at: datetime
    duration_seconds: float | None
    problem: str | None = None


@dataclass
class PromptOperation:
    """A playPrompt: `notStarted` while it waits behind the call's earlier prompts, then
    `running`, then `completed` or `failed`. `asked_during` is the id of an earlier operation
    of the call still waiting or playing when this one was asked for (the bot did not wait for
    its notification), or None."""

    id: str
    client_context: str | None
    requested_at: datetime
    asked_during: str | None = None
    status: OperationStatus = "notStarted"
    started_at: datetime | None = None
    finished_at: datetime | None = None
    prompts: list[PlayedPrompt] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return self.status in {"completed", "failed"}


@dataclass
class Call:
    id: str
    app_id: str
    app_display_name: str
    callback_uri: str
    thread_id: str
    organizer_id: str
    tenant_id: str
    created_at: datetime
    requested_modalities: list[str]
    media_config: dict[str, Any]
    state: CallState = "establishing"
    in_lobby: bool = False
    """Teams keeps the call waiting in the meeting's lobby until someone admits the bot."""
    organizer_name: str | None = None
    my_participant_id: str = field(default_factory=new_guid)
    call_chain_id: str = field(default_factory=new_guid)
    participant_ids: dict[str, str] = field(default_factory=dict)
    operations: dict[str, PromptOperation] = field(default_factory=dict)

    @property
    def live(self) -> bool:
        return self.state in {"establishing", "established"}

    def unfinished_operation(self) -> PromptOperation | None:
        """The latest prompt operation still waiting or playing, if any."""
        waiting = [o for o in self.operations.values() if not o.finished]
        return waiting[-1] if waiting else None

    def participant_id(self, teams_id: str) -> str:
        """The call's participant id for a meeting participant, the same for the whole call."""
        return self.participant_ids.setdefault(teams_id, new_guid())


class CallStore:
    def __init__(self) -> None:
        self._calls: dict[str, Call] = {}

    def add(self, call: Call) -> None:
        self._calls[comparable_call_id(call.id)] = call

    def get(self, call_id: str) -> Call | None:
        return self._calls.get(comparable_call_id(call_id))

    def live_in(self, thread_id: str) -> list[Call]:
        return [c for c in self._calls.values() if c.thread_id == thread_id and c.live]

    def all(self) -> list[Call]:
        return list(self._calls.values())
