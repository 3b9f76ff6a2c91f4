"""The bot's calls into Teams meetings through Graph cloud communications: join a meeting's
call with service-hosted media, play a prompt in it, and hang up.

Application permission Calls.JoinGroupCall.All. Graph sends everything that happens in a call
as comms notifications to `callback_uri` (the bot's `/api/calls`); these methods only start
things. Call ids are returned as Graph wrote them; callers normalise them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from msgraph.graph_service_client import GraphServiceClient

CALLBACK_PATH: Final = "/api/calls"
"""Where, under the bot's public URL, Graph posts the comms notifications of its calls."""


class CallNotPlaced(RuntimeError):
    """Graph answered without the id of the call or operation it started."""


class MeetingCalls:
    def __init__(self, graph: GraphServiceClient, callback_uri: str, tenant_id: str) -> None:
        self._graph = graph
        self._callback_uri = callback_uri
        self._tenant_id = tenant_id

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
        created = await self._graph.communications.calls.post(
            Call(
                callback_uri=self._callback_uri,
                requested_modalities=[Modality.Audio],
                media_config=ServiceHostedMediaConfig(),
                chat_info=ChatInfo(thread_id=thread_id, message_id="0"),
                meeting_info=OrganizerMeetingInfo(organizer=IdentitySet(user=organiser)),
                tenant_id=self._tenant_id,
            )
        )
        if created is None or not created.id:
            raise CallNotPlaced("Graph accepted the call but did not return its id")
        return created.id

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

        operation = await self._graph.communications.calls.by_call_id(call_id).play_prompt.post(
            PlayPromptPostRequestBody(
                client_context=client_context,
                prompts=[MediaPrompt(media_info=MediaInfo(uri=uri, resource_id=resource_id))],
            )
        )
        if operation is None or not operation.id:
            raise CallNotPlaced("Graph accepted the prompt but did not return its operation")
        return operation.id

    async def hang_up(self, call_id: str) -> None:
        """Leave the call; Graph confirms with a `terminated` notification."""
        await self._graph.communications.calls.by_call_id(call_id).delete()
