"""The writable properties of a Graph `onlineMeeting`, as a create or a PATCH (`Update
onlineMeeting`) gives them: the settings Teams acts on (recording, transcription, lobby,
presenters, chat, ...), subject, times and invitees, and the documented settings the sandbox
keeps and gives back without acting on them. A body Graph would refuse (an unknown property,
a value of the wrong type or not among the allowed ones) raises its 400 `GraphError` before
anything changes. The organiser's meeting options in Teams change the same properties.
"""

from __future__ import annotations

from typing import Any, Final

from sandbox.graph.errors import bad_request
from sandbox.graph_time import parse_graph_datetime
from sandbox.meetings import Attendee, OnlineMeeting
from sandbox.tenant import Tenant

BOOLEAN_SETTINGS = {
    "allowRecording": "allow_recording",
    "allowTranscription": "allow_transcription",
    "recordAutomatically": "record_automatically",
    "allowTeamworkReactions": "allow_teamwork_reactions",
    "allowAttendeeToEnableCamera": "allow_attendee_to_enable_camera",
    "allowAttendeeToEnableMic": "allow_attendee_to_enable_mic",
    "isEntryExitAnnounced": "is_entry_exit_announced",
}
PRESENTERS = ("everyone", "organization", "roleIsPresenter", "organizer")
CHOICE_SETTINGS = {
    "allowedPresenters": ("allowed_presenters", PRESENTERS),
    "allowMeetingChat": ("allow_meeting_chat", ("enabled", "disabled", "limited")),
}
LOBBY_SCOPES = (
    "organizer", "organization", "organizationAndFederated", "everyone", "invited",
    "organizationExcludingGuests",
)  # fmt: skip
KEPT_BOOLEANS: Final = {
    "allowBreakoutRooms": True,
    "allowCopyingAndSharingMeetingContent": True,
    "allowParticipantsToChangeName": False,
    "allowPowerPointSharing": True,
    "allowWhiteboard": True,
    "isEndToEndEncryptionEnabled": False,
}
"""Documented settings (onlineMeetingBase; Update onlineMeeting lists them as writable) kept and
given back, not acted on, with the sandbox's defaults."""
KEPT_VALUES: Final[dict[str, Any]] = {
    "allowedLobbyAdmitters": "organizerAndCoOrganizersAndPresenters",
    "allowLiveShare": "enabled",
    "anonymizeIdentityForRoles": [],
    "broadcastSettings": None,
    "chatRestrictions": None,
    "meetingSpokenLanguageTag": None,
    "sensitivityLabelAssignment": None,
    "shareMeetingChatHistoryDefault": "all",
    "watermarkProtection": None,
}
CREATE_ONLY: Final = frozenset({"meetingTemplateId", "externalId"})
"""Given when a meeting is made and kept; a later PATCH cannot change them (Create
onlineMeeting, example 4: "Subsequent updates ... can't overwrite the meetingTemplateId")."""
READ_ONLY_PROPERTIES = frozenset(
    {
        "@odata.type", "@odata.context", "id", "joinWebUrl", "joinUrl", "chatInfo",
        "creationDateTime", "joinMeetingIdSettings", "joinInformation", "videoTeleconferenceId",
        "audioConferencing", "isBroadcast", "autoAdmittedUsers", "expiryDateTime",
        "meetingOptionsWebUrl", "meetingType", "cloudVideoInteropInfo",
    }
) | CREATE_ONLY  # fmt: skip
OTHER_WRITABLE_PROPERTIES = frozenset(
    {"subject", "startDateTime", "endDateTime", "participants", "lobbyBypassSettings"}
)


def _choice(value: object, choices: tuple[str, ...], name: str) -> str:
    by_lower = {choice.lower(): choice for choice in choices}
    if not isinstance(value, str) or value.lower() not in by_lower:
        raise bad_request(f"Invalid value for '{name}'. Allowed values: {', '.join(choices)}.")
    return by_lower[value.lower()]


def boolean_value(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise bad_request(f"Invalid value for '{name}': a boolean is required.")
    return value


def _attendees(tenant: Tenant, value: object) -> list[Attendee]:
    if not isinstance(value, dict):
        raise bad_request("Invalid value for 'participants'.")
    raw_attendees = value.get("attendees") or []
    if not isinstance(raw_attendees, list):
        raise bad_request("Invalid value for 'participants.attendees'.")
    attendees = []
    for raw in raw_attendees:
        if not isinstance(raw, dict):
            raise bad_request("Invalid value in 'participants.attendees'.")
        identity_user = (raw.get("identity") or {}).get("user") or {}
        upn = raw.get("upn")
        user = tenant.directory.user_by_object_id(
            str(identity_user.get("id") or "")
        ) or tenant.directory.user_by_address(str(upn or ""))
        attendees.append(
            Attendee(
                upn=user.user_principal_name if user else upn,
                user_id=user.object_id if user else identity_user.get("id"),
                display_name=user.display_name if user else identity_user.get("displayName"),
                role=str(raw.get("role") or "attendee"),
            )
        )
    return attendees


def apply_properties(tenant: Tenant, meeting: OnlineMeeting, body: dict[str, Any]) -> None:
    """Apply the writable properties in `body`; unknown properties are refused first, so a
    refused request changes nothing."""
    writable = (
        set(BOOLEAN_SETTINGS) | set(CHOICE_SETTINGS) | set(KEPT_BOOLEANS) | set(KEPT_VALUES)
    ) | OTHER_WRITABLE_PROPERTIES
    unknown = [name for name in body if name not in writable | READ_ONLY_PROPERTIES]
    if unknown:
        raise bad_request(
            f"Invalid property '{unknown[0]}' on type 'microsoft.graph.onlineMeeting'."
        )
    kept = {name: boolean_value(body[name], name) for name in KEPT_BOOLEANS if name in body}
    kept |= {name: body[name] for name in KEPT_VALUES if name in body}
    changes: dict[str, Any] = {}
    for name, attribute in BOOLEAN_SETTINGS.items():
        if name in body:
            changes[attribute] = boolean_value(body[name], name)
    for name, (attribute, choices) in CHOICE_SETTINGS.items():
        if name in body:
            changes[attribute] = _choice(body[name], choices, name)
    for name, attribute in (("startDateTime", "start"), ("endDateTime", "end")):
        if name in body:
            try:
                changes[attribute] = parse_graph_datetime(str(body[name]))
            except ValueError as error:
                raise bad_request(f"Invalid value for '{name}'.") from error
    if "subject" in body:
        changes["subject"] = str(body["subject"] or "")
    if "participants" in body:
        changes["attendees"] = _attendees(tenant, body["participants"])
    lobby = body.get("lobbyBypassSettings")
    if lobby is not None:
        if not isinstance(lobby, dict):
            raise bad_request("Invalid value for 'lobbyBypassSettings'.")
        if "scope" in lobby:
            changes["lobby_bypass_scope"] = _choice(lobby["scope"], LOBBY_SCOPES, "scope")
        if "isDialInBypassEnabled" in lobby:
            changes["lobby_dial_in_bypass"] = boolean_value(
                lobby["isDialInBypassEnabled"], "isDialInBypassEnabled"
            )
    if changes.get("allow_recording", meeting.allow_recording) != meeting.allow_recording:
        meeting.allow_recording_changes.append((tenant.now(), changes["allow_recording"]))
    for attribute, value in changes.items():
        setattr(meeting, attribute, value)
    meeting.kept |= kept
