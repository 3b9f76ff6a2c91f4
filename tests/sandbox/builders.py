"""Graph request bodies the sandbox tests build."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from msgraph.generated.models.identity import Identity
from msgraph.generated.models.identity_set import IdentitySet
from msgraph.generated.models.lobby_bypass_scope import LobbyBypassScope
from msgraph.generated.models.lobby_bypass_settings import LobbyBypassSettings
from msgraph.generated.models.meeting_participant_info import MeetingParticipantInfo
from msgraph.generated.models.meeting_participants import MeetingParticipants
from msgraph.generated.models.online_meeting import OnlineMeeting

from sandbox.seed import ADVISER, PARENT_CARER


def new_meeting(subject: str) -> OnlineMeeting:
    """Tomorrow, an hour long, recording off, lobby for everyone but the organiser, with a
    parent carer (by address) and an adviser (by object id) invited."""
    start = datetime.now(UTC) + timedelta(days=1)
    return OnlineMeeting(
        subject=subject,
        start_date_time=start,
        end_date_time=start + timedelta(hours=1),
        allow_recording=False,
        lobby_bypass_settings=LobbyBypassSettings(scope=LobbyBypassScope.Organizer),
        participants=MeetingParticipants(
            attendees=[
                MeetingParticipantInfo(upn=PARENT_CARER.address),
                MeetingParticipantInfo(identity=IdentitySet(user=Identity(id=ADVISER.object_id))),
            ]
        ),
    )
