"""A Graph `onlineMeeting` as Graph writes it in its answers (`meeting_resource`): its settings,
join details (join URL, meeting id and passcode, dial-in, the invitation text, the meeting
options page), chat and participants.

Answers carry every key of Microsoft's documented examples (`tests/conformance/graph/`). The
examples contradict each other in two ways, and the sandbox writes each meeting in one of
them in turn (`SHAPES`): `audioConferencing.ConferenceId` with `@odata.type` on the nested
objects (Get onlineMeeting, example 1; the Create examples), or `audioConferencing.conferenceId`
without them (Update onlineMeeting, example 1; the audioConferencing resource).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Final
from urllib.parse import quote_plus

from sandbox.graph.meeting_settings import KEPT_BOOLEANS, KEPT_VALUES
from sandbox.graph_time import graph_datetime
from sandbox.meetings import OnlineMeeting
from sandbox.tenant import Tenant

SHAPES: Final = 2
"""The documented onlineMeeting answer shapes the sandbox writes in turn (see the module)."""
AUTO_ADMITTED: Final = {"everyone": "everyone", "organization": "EveryoneInCompany"}
"""The deprecated `autoAdmittedUsers` as the examples write it beside each lobby scope (Get
onlineMeeting, examples 1 and 2); Microsoft documents no value for the other scopes."""
TOLL_NUMBER: Final = "+44 20 7946 0123"
TOLL_FREE_NUMBER: Final = "+44 808 157 0192"
"""Dial-in numbers from Ofcom's ranges kept for drama, so no real line is ever shown."""
EXPIRY: Final = timedelta(days=60)
"""An online meeting expires 60 days after its end (onlineMeeting resource, note)."""


def _typed(annotated: bool, odata_type: str, value: dict[str, Any]) -> dict[str, Any]:
    """`value` with its `@odata.type` first in the annotated shape (Get onlineMeeting,
    example 1), as it is without in the other."""
    return {"@odata.type": f"#microsoft.graph.{odata_type}", **value} if annotated else value


def _identity(
    tenant: Tenant, user_id: str | None, display_name: str | None, annotated: bool
) -> dict[str, Any]:
    user = {
        "id": user_id,
        "displayName": display_name,
        "tenantId": tenant.tenant_id if user_id else None,
        "identityProvider": "AAD",
    }
    return {
        "azureApplicationInstance": None,
        "applicationInstance": None,
        "application": None,
        "device": None,
        "user": _typed(annotated, "identity", user),
    }


def _participant(
    tenant: Tenant,
    upn: str | None,
    role: str,
    identity: tuple[str | None, str | None],
    annotated: bool,
) -> dict[str, Any]:
    """A meetingParticipantInfo; the annotated shape types it as Microsoft's example does."""
    user_id, display_name = identity
    participant = {
        "upn": upn,
        "role": role,
        "identity": _identity(tenant, user_id, display_name, annotated),
    }
    return _typed(annotated, "identitySet", participant)


def _audio_conferencing(meeting: OnlineMeeting) -> dict[str, Any]:
    """The dial-in details; the conference id's key is spelt as the meeting's shape has it."""
    conference_key = "ConferenceId" if meeting.documented_shape == 0 else "conferenceId"
    return {
        "tollNumber": TOLL_NUMBER,
        "tollFreeNumber": TOLL_FREE_NUMBER,
        conference_key: meeting.conference_id,
        "dialinUrl": f"https://dialin.teams.microsoft.com/{meeting.organizer_id}"
        f"?id={meeting.conference_id}",
        "tollNumbers": [TOLL_NUMBER],
        "tollFreeNumbers": [TOLL_FREE_NUMBER],
    }


def _join_information(meeting: OnlineMeeting) -> dict[str, Any]:
    """The invitation text Teams writes for a meeting: a URL-encoded `data:text/html` document
    with the join link and the dial-in details, as in the documented examples."""
    html = (
        f'<div><a href="{meeting.join_web_url}" target="_blank">Join the meeting now</a></div>'
        f"<div>Meeting ID: {' '.join(meeting.join_meeting_id[i : i + 3] for i in range(0, 12, 3))}"
        f"</div><div>Dial in: {TOLL_NUMBER},,{meeting.conference_id}#</div>"
    )
    return {"content": quote_plus(f"data:text/html,{html}", safe="'()"), "contentType": "html"}


def _meeting_options_url(tenant: Tenant, meeting: OnlineMeeting) -> str:
    """The meeting options page, in the form the documented join information links to it."""
    thread = meeting.thread_id.replace(":", "_", 1)
    return (
        "https://teams.microsoft.com/meetingOptions/"
        f"?organizerId={meeting.organizer_id}&tenantId={tenant.tenant_id}"
        f"&threadId={thread}&messageId=0&language=en-GB"
    )


def meeting_context(organizer_id: str) -> str:
    """The `@odata.context` of an answer that is one of this organiser's meetings."""
    return f"https://graph.microsoft.com/v1.0/$metadata#users('{organizer_id}')/onlineMeetings"


def meeting_resource(
    tenant: Tenant, meeting: OnlineMeeting, *, entity: bool = False
) -> dict[str, Any]:
    """The onlineMeeting as Graph writes it; `entity` for an answer that is this meeting alone
    (create, get, update), which carries its `@odata.context`, unlike an item of a list."""
    organizer = tenant.directory.user_by_object_id(meeting.organizer_id)
    annotated = meeting.documented_shape == 0
    resource: dict[str, Any] = {"@odata.type": "#microsoft.graph.onlineMeeting"}
    if entity:
        resource["@odata.context"] = f"{meeting_context(meeting.organizer_id)}/$entity"
    return resource | {
        "id": meeting.id,
        "creationDateTime": graph_datetime(meeting.created_at),
        "startDateTime": graph_datetime(meeting.start),
        "endDateTime": graph_datetime(meeting.end),
        "expiryDateTime": graph_datetime(meeting.end + EXPIRY),
        "joinWebUrl": meeting.join_web_url,
        "meetingOptionsWebUrl": _meeting_options_url(tenant, meeting),
        "meetingType": "scheduled",
        "subject": meeting.subject,
        "isBroadcast": False,
        "externalId": None,
        "meetingTemplateId": None,
        "videoTeleconferenceId": None,
        "cloudVideoInteropInfo": None,
        "audioConferencing": _audio_conferencing(meeting),
        "joinInformation": _join_information(meeting),
        "autoAdmittedUsers": AUTO_ADMITTED.get(meeting.lobby_bypass_scope),
        "isEntryExitAnnounced": meeting.is_entry_exit_announced,
        "allowedPresenters": meeting.allowed_presenters,
        "allowMeetingChat": meeting.allow_meeting_chat,
        "allowTeamworkReactions": meeting.allow_teamwork_reactions,
        "allowAttendeeToEnableCamera": meeting.allow_attendee_to_enable_camera,
        "allowAttendeeToEnableMic": meeting.allow_attendee_to_enable_mic,
        "allowRecording": meeting.allow_recording,
        "allowTranscription": meeting.allow_transcription,
        "recordAutomatically": meeting.record_automatically,
        **KEPT_BOOLEANS,
        **KEPT_VALUES,
        **meeting.kept,
        "lobbyBypassSettings": {
            "scope": meeting.lobby_bypass_scope,
            "isDialInBypassEnabled": meeting.lobby_dial_in_bypass,
        },
        "joinMeetingIdSettings": {
            "isPasscodeRequired": meeting.passcode is not None,
            "joinMeetingId": meeting.join_meeting_id,
            "passcode": meeting.passcode,
        },
        "chatInfo": _typed(
            annotated,
            "chatInfo",
            {"threadId": meeting.thread_id, "messageId": "0", "replyChainMessageId": None},
        ),
        "participants": _typed(
            annotated,
            "meetingParticipants",
            {
                "organizer": _participant(
                    tenant,
                    organizer.user_principal_name if organizer else None,
                    "presenter",
                    (meeting.organizer_id, None),
                    annotated,
                ),
                "attendees": [
                    _participant(
                        tenant,
                        attendee.upn,
                        attendee.role,
                        (attendee.user_id, None if attendee.user_id else attendee.display_name),
                        annotated,
                    )
                    for attendee in meeting.attendees
                ],
                "producers": [],
                "contributors": [],
            },
        ),
    }
