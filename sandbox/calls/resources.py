"""Graph's JSON for calls: the call resource, its roster of participants (with
`recordingInfo`), and the `commsNotifications` bodies posted to a call's `callbackUri`
(call state as an object, roster updates as an array, a finished operation as
`changeType: deleted`)."""

from __future__ import annotations

from typing import Any

from sandbox.calls.calls import Call, PromptOperation
from sandbox.teams.accounts import TeamsAccount
from sandbox.teams.live_meetings import Attendance

LANGUAGE = "en-GB"


def identity_set(kind: str, **identity: Any) -> dict[str, Any]:
    return {
        "@odata.type": "#microsoft.graph.identitySet",
        kind: {"@odata.type": "#microsoft.graph.identity", **identity},
    }


def bot_identity(call: Call) -> dict[str, Any]:
    return identity_set("application", id=call.app_id, displayName=call.app_display_name)


def person_identity(account: TeamsAccount) -> dict[str, Any]:
    """A tenant account as a `user`; an anonymous participant as a `guest`."""
    if account.aad_object_id is None:
        return identity_set("guest", id=account.id.removeprefix("29:"), displayName=account.name)
    return identity_set(
        "user",
        id=account.aad_object_id,
        displayName=account.name,
        tenantId=account.tenant_id,
        identityProvider="AAD",
    )


def _participant(
    participant_id: str,
    source_id: int,
    identity: dict[str, Any],
    recording_initiator: dict[str, Any] | None,
) -> dict[str, Any]:
    recording_info: dict[str, Any] = {
        "@odata.type": "#microsoft.graph.recordingInfo",
        "recordingStatus": "recording" if recording_initiator is not None else "notRecording",
        "initiator": recording_initiator,
    }
    return {
        "@odata.type": "#microsoft.graph.participant",
        "id": participant_id,
        "info": {
            "@odata.type": "#microsoft.graph.participantInfo",
            "identity": identity,
            "languageId": LANGUAGE,
        },
        "mediaStreams": [
            {
                "@odata.type": "#microsoft.graph.mediaStream",
                "mediaType": "audio",
                "sourceId": str(source_id),
                "direction": "sendReceive",
                "serverMuted": False,
            }
        ],
        "isMuted": False,
        "isInLobby": False,
        "recordingInfo": recording_info,
    }


def roster(call: Call, present: list[Attendance]) -> list[dict[str, Any]]:
    """The call's participants: the bot and everyone in the meeting, each recording one with
    `recordingInfo.recordingStatus` "recording"."""
    people = [
        _participant(
            call.participant_id(a.account.id),
            index,
            person_identity(a.account),
            person_identity(a.account) if a.recording_since is not None else None,
        )
        for index, a in enumerate(present, start=2)
    ]
    return [_participant(call.my_participant_id, 1, bot_identity(call), None), *people]


IDENTITY_KINDS = ("application", "user", "device", "phone")


def listed(participant: dict[str, Any]) -> dict[str, Any]:
    """A participant as `GET .../participants` writes it: Microsoft's example spells out
    absent identities, the stream label and the metadata as `null`."""
    identity = participant["info"]["identity"]
    return {
        **participant,
        "info": {
            **participant["info"],
            "identity": {**{kind: None for kind in IDENTITY_KINDS}, **identity},
        },
        "mediaStreams": [{"label": None, **stream} for stream in participant["mediaStreams"]],
        "metadata": None,
    }


def chat_info(call: Call) -> dict[str, Any]:
    return {
        "@odata.type": "#microsoft.graph.chatInfo",
        "threadId": call.thread_id,
        "messageId": "0",
    }


def meeting_info(call: Call) -> dict[str, Any]:
    """The organiser as Graph's join examples show it: id, display name, tenant."""
    organizer = identity_set(
        "user", id=call.organizer_id, displayName=call.organizer_name, tenantId=call.tenant_id
    )
    return {
        "@odata.type": "#microsoft.graph.organizerMeetingInfo",
        "organizer": organizer,
        "allowConversationWithoutHost": True,
    }


def call_state(call: Call, path: str, result: dict[str, Any] | None = None) -> dict[str, Any]:
    """A call-state notification's `resourceData`: the call's state, and while it is live its
    meeting (`chatInfo`, `meetingInfo`), as in "Join scheduled meeting with service hosted
    media" (https://learn.microsoft.com/graph/api/application-post-calls); once terminated,
    `resultInfo` (https://learn.microsoft.com/graph/api/call-delete)."""
    data: dict[str, Any] = {
        "@odata.type": "#microsoft.graph.call",
        "@odata.id": path,
        "state": call.state,
        "id": path.rsplit("/", 1)[-1],
    }
    if call.live:
        data |= {
            "direction": "outgoing",
            "chatInfo": chat_info(call),
            "meetingInfo": meeting_info(call),
        }
    if result is not None:
        data["resultInfo"] = result
    return data


def incoming_call(
    call_id: str, caller: TeamsAccount, app_id: str, app_name: str, region: str = "westus"
) -> dict[str, Any]:
    """An incoming call's `resourceData` (someone calling the bot directly, not a meeting),
    as "Notification - incoming" of "Answer a Peer-to-Peer VoIP call with service hosted
    media" shows it (https://learn.microsoft.com/graph/api/call-answer): the caller as
    `source`, the bot as the one target, audio requested."""
    path = f"/communications/calls/{call_id}"
    return {
        "@odata.type": "#microsoft.graph.call",
        "@odata.id": path,
        "@odata.etag": 'W/"1"',
        "state": "incoming",
        "direction": "incoming",
        "source": {
            "@odata.type": "#microsoft.graph.participantInfo",
            "identity": person_identity(caller),
            "region": region,
            "languageId": LANGUAGE,
        },
        "targets": [
            {
                "@odata.type": "#microsoft.graph.invitationParticipantInfo",
                "identity": identity_set("application", id=app_id, displayName=app_name),
            }
        ],
        "requestedModalities": ["audio"],
    }


def call_resource(call: Call) -> dict[str, Any]:
    return {
        "@odata.type": "#microsoft.graph.call",
        "id": call.id,
        "state": call.state,
        "direction": "outgoing",
        "callbackUri": call.callback_uri,
        "callChainId": call.call_chain_id,
        "source": {
            "@odata.type": "#microsoft.graph.participantInfo",
            "identity": bot_identity(call),
        },
        "targets": [],
        "requestedModalities": call.requested_modalities,
        "activeModalities": call.requested_modalities if call.state == "established" else [],
        "mediaConfig": call.media_config,
        "chatInfo": chat_info(call),
        "meetingInfo": meeting_info(call),
        "tenantId": call.tenant_id,
        "myParticipantId": call.my_participant_id,
        "resultInfo": None,
    }


def operation_resource(operation: PromptOperation) -> dict[str, Any]:
    return {
        "@odata.type": "#microsoft.graph.playPromptOperation",
        "id": operation.id,
        "status": operation.status,
        "clientContext": operation.client_context,
    }


def finished_operation(
    operation: PromptOperation, path: str, result: dict[str, Any]
) -> dict[str, Any]:
    """A finished playPrompt's `resourceData`, as "Notification - operation completed"
    (https://learn.microsoft.com/graph/api/call-playprompt) shows it, with an etag."""
    return operation_resource(operation) | {
        "@odata.id": path,
        "@odata.etag": f'W/"{len(operation.prompts)}"',
        "resultInfo": result,
    }


def result_info(code: int | str, subcode: int | str, message: str) -> dict[str, Any]:
    """`resultInfo`: the resource documents `code` and `subcode` as Int32
    (https://learn.microsoft.com/graph/api/resources/resultinfo), while the terminated example
    (https://learn.microsoft.com/graph/api/call-delete) writes them as strings."""
    return {
        "@odata.type": "#microsoft.graph.resultInfo",
        "code": code,
        "subcode": subcode,
        "message": message,
    }


def comms_notification(
    call: Call | str, change_type: str, resource_url: str, resource_data: object
) -> dict[str, Any]:
    """The `commsNotifications` body for `call`, or for a call known only by the
    `callbackUri` it was given (an incoming call)."""
    callback_uri = call if isinstance(call, str) else call.callback_uri
    return {
        "@odata.type": "#microsoft.graph.commsNotifications",
        "value": [
            {
                "@odata.type": "#microsoft.graph.commsNotification",
                "changeType": change_type,
                "resourceUrl": resource_url,
                "callbackUri": callback_uri,
                "resourceData": resource_data,
            }
        ],
    }
