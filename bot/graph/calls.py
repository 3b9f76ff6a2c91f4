"""The bot's calls into Teams meetings through Graph cloud communications: join a meeting's
call with service-hosted media, play a prompt in it, list who is in it, and hang up.

Application permission Calls.JoinGroupCall.All. Graph sends everything that happens in a call
as comms notifications to `callback_uri` (the bot's `/api/calls`); these methods only start
things. Call ids are returned as Graph wrote them; callers normalise them.

Graph's answers (the call, the prompt's operation) are read as JSON for their id rather than
as msgraph-sdk models: building a model runs thousands of imports and parse calls each time
(several milliseconds), and a prompt is played for every notice spoken in a meeting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from bot.calling.notifications import roster_entries
from bot.graph.answers import answer_json
from bot.graph.fail_fast import fail_fast
from bot.ports.calls import CallNotPlaced
from bot.services.live_meeting import RosterEntry

if TYPE_CHECKING:
    from kiota_abstractions.request_information import RequestInformation
    from msgraph.graph_service_client import GraphServiceClient

CALLBACK_PATH: Final = "/api/calls"
"""Where, under the bot's public URL, Graph posts the comms notifications of its calls."""


def _answer_id(answer: object) -> str | None:
    """The `id` of the entity Graph answered with, if it has one."""
    found = answer.get("id") if isinstance(answer, dict) else None
    return found if isinstance(found, str) and found else None


class MeetingCalls:
    def __init__(self, graph: GraphServiceClient, callback_uri: str, tenant_id: str) -> None:
        self._graph = graph
        self._callback_uri = callback_uri
        self._tenant_id = tenant_id

    async def _created_id(self, request: RequestInformation) -> str | None:
        """Send `request`; the id in Graph's answer (errors as msgraph-sdk raises them)."""
        return _answer_id(await answer_json(self._graph, request))

    async def join(self, thread_id: str, organiser_id: str) -> str:
        """Join the call of the meeting whose chat is `thread_id` (audio, service-hosted
        media); returns the new call's id. `organiser_id` is the organiser's object id."""
        from msgraph.generated.models.call import Call
        from msgraph.generated.models.chat_info import ChatInfo
        from msgraph.generated.models.identity import Identity
        from msgraph.generated.models.identity_set import IdentitySet
        from msgraph.generated.models.modality import Modality
        from msgraph.generated.models.organizer_meeting_info import OrganizerMeetingInfo
        from msgraph.generated.models.service_hosted_media_config import (
            ServiceHostedMediaConfig,
        )

        organiser = Identity(id=organiser_id, additional_data={"tenantId": self._tenant_id})
        call_id = await self._created_id(
            self._graph.communications.calls.to_post_request_information(
                Call(
                    callback_uri=self._callback_uri,
                    requested_modalities=[Modality.Audio],
                    media_config=ServiceHostedMediaConfig(),
                    chat_info=ChatInfo(thread_id=thread_id, message_id="0"),
                    meeting_info=OrganizerMeetingInfo(organizer=IdentitySet(user=organiser)),
                    tenant_id=self._tenant_id,
                )
            )
        )
        if call_id is None:
            raise CallNotPlaced("Graph accepted the call but did not return its id")
        return call_id

    async def play_prompt(
        self, call_id: str, uri: str, *, resource_id: str, client_context: str
    ) -> str:
        """Start playing the WAV at `uri` (https) in the call; returns the operation's id.
        `resource_id` names the audio (Teams may cache it by this); `client_context` comes
        back in the notification Graph sends on `.../operations/{id}` when it ends."""
        from msgraph.generated.communications.calls.item.play_prompt.play_prompt_post_request_body import (  # noqa: E501
            PlayPromptPostRequestBody,
        )
        from msgraph.generated.models.media_info import MediaInfo
        from msgraph.generated.models.media_prompt import MediaPrompt

        play_prompt = self._graph.communications.calls.by_call_id(call_id).play_prompt
        operation_id = await self._created_id(
            play_prompt.to_post_request_information(
                PlayPromptPostRequestBody(
                    client_context=client_context,
                    prompts=[MediaPrompt(media_info=MediaInfo(uri=uri, resource_id=resource_id))],
                )
            )
        )
        if operation_id is None:
            raise CallNotPlaced("Graph accepted the prompt but did not return its operation")
        return operation_id

    async def participants(self, call_id: str) -> tuple[RosterEntry, ...]:
        """Everyone in the call now, the bot among them, as `GET .../participants` lists
        them (no extra permission: Graph checks permissions when the call is created).
        `CallNotPlaced` when the answer holds no list of participants."""
        participants = self._graph.communications.calls.by_call_id(call_id).participants
        request = participants.to_get_request_information()
        request.add_request_options(fail_fast())
        answer = await answer_json(self._graph, request)
        entries = roster_entries(answer.get("value") if isinstance(answer, dict) else None)
        if entries is None:
            raise CallNotPlaced("Graph's answer listed no participants")
        return entries

    async def hang_up(self, call_id: str) -> None:
        """Leave the call; Graph confirms with a `terminated` notification."""
        await self._graph.communications.calls.by_call_id(call_id).delete()
