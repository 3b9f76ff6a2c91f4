"""The calling service behind Graph's `/communications/calls`: it tells the bot, by comms
notifications to the call's `callbackUri` (each with a calling-service JWT), how its calls
go: establishing, established, the roster whenever the meeting's participants or recordings
change, finished prompts, and the end of the call. Someone can also call the bot directly
(`ring`): the bot is told of an incoming call at the calling endpoint given, as Microsoft
sends it to the bot's registered calling webhook.

Prompts are queued per call and played in order, as Microsoft documents playPrompt operations
to be ("by default queued to process in order", call: cancelMediaProcessing): one asked for
while another is waiting or playing is `notStarted` until the earlier ones finish, and keeps
the id of the one it was asked during, so the room page shows a bot that did not wait.

The lobby: with `holds_bots_in_lobby` set, a bot joining a meeting whose
`lobbyBypassSettings.scope` is not "everyone" waits in the lobby: its call stays
`establishing` (no roster: it cannot see the meeting) until `admit_bot`, then it is
established and gets the roster. Microsoft documents that every scope but "everyone" puts
"all other participants" in the lobby (lobbyBypassSettings), not how a calling bot's call
reports waiting; see sandbox/FIDELITY.md. Off by default, as if the organiser admitted the
bot at once.

Notifications go through a `NotificationQueue`, so the notification fault knobs drop,
duplicate or reorder them; with `faults.vary_call_ids` the call id in them changes case and
hyphenation from one notification to the next.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

import aiohttp

from sandbox.botframework.tokens import calling_token
from sandbox.calls.calls import Call, PlayedPrompt, PromptOperation
from sandbox.calls.prompts import PromptProblemError, fetch_prompt, wav_duration_seconds
from sandbox.calls.resources import (
    call_state,
    comms_notification,
    finished_operation,
    incoming_call,
    result_info,
    roster,
)
from sandbox.delivery_queue import NotificationQueue
from sandbox.ids import call_id_variant, new_guid
from sandbox.teams.accounts import TeamsAccount
from sandbox.tenant import Tenant

CALLS_PATH = "/communications/calls"
CALL_ENDED_BY_BOT = (200, 5001, "The conversation has ended.")
CALL_ENDED_WITH_MEETING = (200, 5002, "The conversation has ended as all other participants left.")
PROMPT_FAILED_CODE = 400


@dataclass(frozen=True)
class CommsDelivery:
    call_id: str
    resource_url: str
    change_type: str
    outcome: str
    at: datetime


@dataclass(frozen=True)
class _Outgoing:
    call_id: str
    app_id: str
    callback_uri: str
    payload: dict[str, Any]


class CallingService:
    def __init__(self, tenant: Tenant, retry_delays_seconds: tuple[float, ...] = (1.0, 5.0)):
        self._tenant = tenant
        self._session: aiohttp.ClientSession | None = None
        self._queue = NotificationQueue(
            tenant.faults, self._attempt, self._record, retry_delays_seconds
        )
        self._variant_turn = 0
        self._ended = 0
        self._playing: set[asyncio.Task[None]] = set()
        self._last_played: dict[str, asyncio.Task[None]] = {}
        self.deliveries: list[CommsDelivery] = []
        self.holds_bots_in_lobby = False

    async def start(self) -> None:
        self._session = aiohttp.ClientSession()
        self._queue.start()

    async def stop(self) -> None:
        for task in self._playing:
            task.cancel()
        await asyncio.gather(*self._playing, return_exceptions=True)
        await self._queue.stop()
        if self._session is not None:
            await self._session.close()

    async def idle(self) -> None:
        """Wait until every prompt has been played and every notification sent."""
        while self._playing:
            await asyncio.gather(*self._playing, return_exceptions=True)
        await self._queue.idle()

    def release_held(self) -> None:
        self._queue.release_held()

    def joined(self, call: Call) -> None:
        """A new call into a meeting: establishing, then (unless it waits in the lobby)
        established and the roster."""
        self._tenant.calls.add(call)
        self._state_changed(call, "updated")
        if self._waits_in_lobby(call):
            call.in_lobby = True
            return
        self._established(call)

    def admit_bot(self, thread_id: str) -> list[Call]:
        """Someone in the meeting admits the bot from the lobby: each of its calls waiting
        there is established, with the roster. The calls admitted."""
        admitted = [call for call in self._tenant.calls.live_in(thread_id) if call.in_lobby]
        for call in admitted:
            call.in_lobby = False
            self._established(call)
        return admitted

    def _waits_in_lobby(self, call: Call) -> bool:
        if not self.holds_bots_in_lobby:
            return False
        meeting = next(
            (m for m in self._tenant.meetings.all() if m.thread_id == call.thread_id), None
        )
        return meeting is None or meeting.lobby_bypass_scope != "everyone"

    def _established(self, call: Call) -> None:
        call.state = "established"
        self._state_changed(call, "updated")
        self._roster(call)

    def roster_changed(self, thread_id: str) -> None:
        """Someone joined or left the meeting, or started or stopped recording."""
        for call in self._tenant.calls.live_in(thread_id):
            if call.state == "established":
                self._roster(call)

    def hang_up(self, call: Call) -> None:
        self._end(call, CALL_ENDED_BY_BOT)

    def ring(self, caller: TeamsAccount, calling_endpoint: str) -> str:
        """`caller` calls the bot directly: the incoming call's notification goes to
        `calling_endpoint`, signed for the bot. The sandbox places no such call in its
        calls; it only rings. The new call's id."""
        call_id = new_guid()
        bot = self._tenant.bot
        data = incoming_call(call_id, caller, bot.client_id, bot.display_name)
        payload = comms_notification(calling_endpoint, "created", data["@odata.id"], data)
        self._queue.dispatch(_Outgoing(call_id, bot.client_id, calling_endpoint, payload))
        return call_id

    def meeting_ended(self, thread_id: str) -> None:
        for call in self._tenant.calls.live_in(thread_id):
            self._end(call, CALL_ENDED_WITH_MEETING)

    def play(self, call: Call, client_context: str | None, uris: list[str]) -> PromptOperation:
        """A new playPrompt operation in the call: running at once when nothing else is
        waiting or playing in it, otherwise `notStarted` behind the call's earlier ones."""
        earlier = call.unfinished_operation()
        operation = PromptOperation(
            new_guid(),
            client_context,
            self._tenant.now(),
            asked_during=earlier.id if earlier is not None else None,
        )
        call.operations[operation.id] = operation
        if earlier is None:
            self._start(operation)
        before = self._last_played.get(call.id)
        task = asyncio.create_task(self._play(call, operation, uris, before))
        self._last_played[call.id] = task
        self._playing.add(task)
        task.add_done_callback(self._played)
        return operation

    def _played(self, task: asyncio.Task[None]) -> None:
        self._playing.discard(task)
        for call_id in [c for c, last in self._last_played.items() if last is task]:
            del self._last_played[call_id]

    def _start(self, operation: PromptOperation) -> None:
        operation.status = "running"
        operation.started_at = self._tenant.now()

    async def _play(
        self,
        call: Call,
        operation: PromptOperation,
        uris: list[str],
        before: asyncio.Task[None] | None,
    ) -> None:
        if before is not None:
            await asyncio.wait([before])
        if operation.status == "notStarted":
            self._start(operation)
        for uri in uris:
            try:
                duration = await self._fetched(call, uri)
            except PromptProblemError as problem:
                operation.prompts.append(PlayedPrompt(uri, self._tenant.now(), None, str(problem)))
                self._finish(call, operation, "failed", (PROMPT_FAILED_CODE, 0, str(problem)))
                return
            operation.prompts.append(PlayedPrompt(uri, self._tenant.now(), duration))
            await asyncio.sleep(duration * self._tenant.prompt_time_scale)
            if not call.live:
                ended = "The call ended before the prompt finished."
                operation.prompts[-1] = replace(operation.prompts[-1], problem=ended)
                self._finish(call, operation, "failed", (PROMPT_FAILED_CODE, 0, ended))
                return
        self._finish(call, operation, "completed", (200, 0, "Action completed successfully."))

    async def _fetched(self, call: Call, uri: str) -> float:
        """Fetch and check one prompt before it plays: its duration, or `PromptProblemError`."""
        if not call.live:
            raise PromptProblemError("The call ended before the prompt was played.")
        return wav_duration_seconds(await fetch_prompt(self._client(), uri))

    def _finish(
        self,
        call: Call,
        operation: PromptOperation,
        status: Literal["completed", "failed"],
        result: tuple[int, int, str],
    ) -> None:
        operation.status = status
        operation.finished_at = self._tenant.now()
        self._operation_finished(call, operation, result_info(*result))

    def _end(self, call: Call, reason: tuple[int, int, str]) -> None:
        """Terminating, then terminated with its `resultInfo`: codes as numbers (the resource
        type) and as strings (the documented example) in turn."""
        call.state = "terminating"
        self._state_changed(call, "updated")
        call.state = "terminated"
        code, subcode, message = reason
        as_text = self._ended % 2 == 1
        self._ended += 1
        result = result_info(str(code), str(subcode), message) if as_text else result_info(*reason)
        self._state_changed(call, "deleted", result)

    def _call_path(self, call: Call) -> str:
        written = call.id
        if self._tenant.faults.vary_call_ids:
            written = call_id_variant(call.id, self._variant_turn)
            self._variant_turn += 1
        return f"{CALLS_PATH}/{written}"

    def _state_changed(
        self, call: Call, change_type: str, result: dict[str, Any] | None = None
    ) -> None:
        path = self._call_path(call)
        self._dispatch(
            call, comms_notification(call, change_type, path, call_state(call, path, result))
        )

    def _roster(self, call: Call) -> None:
        meeting = self._tenant.live_meetings.by_thread(call.thread_id)
        present = meeting.present() if meeting is not None else []
        path = f"{self._call_path(call)}/participants"
        self._dispatch(call, comms_notification(call, "updated", path, roster(call, present)))

    def _operation_finished(
        self, call: Call, operation: PromptOperation, result: dict[str, Any]
    ) -> None:
        path = f"{self._call_path(call)}/operations/{operation.id}"
        data = finished_operation(operation, path, result)
        self._dispatch(call, comms_notification(call, "deleted", path, data))

    def _dispatch(self, call: Call, payload: dict[str, Any]) -> None:
        self._queue.dispatch(_Outgoing(call.id, call.app_id, call.callback_uri, payload))

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("the calling service has not been started")
        return self._session

    async def _attempt(self, outgoing: _Outgoing) -> int:
        token = calling_token(self._tenant, outgoing.app_id)
        async with self._client().post(
            outgoing.callback_uri,
            json=outgoing.payload,
            headers={"Authorization": f"Bearer {token}"},
            timeout=aiohttp.ClientTimeout(total=10),
        ) as response:
            return response.status

    def _record(self, outgoing: _Outgoing, outcome: str) -> None:
        notification = outgoing.payload["value"][0]
        self.deliveries.append(
            CommsDelivery(
                outgoing.call_id,
                notification["resourceUrl"],
                notification["changeType"],
                outcome,
                self._tenant.now(),
            )
        )
