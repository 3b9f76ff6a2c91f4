"""Graph request bodies, meetings with the bot installed, WAV prompts and token checks the
sandbox tests build."""

from __future__ import annotations

import asyncio
import io
import wave
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from msgraph.generated.models.identity import Identity
from msgraph.generated.models.identity_set import IdentitySet
from msgraph.generated.models.lobby_bypass_scope import LobbyBypassScope
from msgraph.generated.models.lobby_bypass_settings import LobbyBypassSettings
from msgraph.generated.models.meeting_participant_info import MeetingParticipantInfo
from msgraph.generated.models.meeting_participants import MeetingParticipants
from msgraph.generated.models.online_meeting import OnlineMeeting
from msgraph.generated.models.teams_app_installation import TeamsAppInstallation
from msgraph.generated.models.teams_app_permission_set import TeamsAppPermissionSet
from msgraph.generated.models.teams_app_resource_specific_permission import (
    TeamsAppResourceSpecificPermission,
)
from msgraph.generated.models.teams_app_resource_specific_permission_type import (
    TeamsAppResourceSpecificPermissionType,
)
from msgraph.graph_service_client import GraphServiceClient

from sandbox.seed import ADVISER, BOT_CATALOG_APP_ID, BOT_RSC_PERMISSIONS, COORDINATOR, PARENT_CARER


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


def installation(consented: list[str]) -> TeamsAppInstallation:
    """The bot's app from the catalog, with these RSC permissions consented."""
    return TeamsAppInstallation(
        additional_data={
            "teamsApp@odata.bind": (
                f"https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/{BOT_CATALOG_APP_ID}"
            )
        },
        consented_permission_set=TeamsAppPermissionSet(
            resource_specific_permissions=[
                TeamsAppResourceSpecificPermission(
                    permission_value=value,
                    permission_type=TeamsAppResourceSpecificPermissionType.Application,
                )
                for value in consented
            ]
        ),
    )


async def meeting_with_bot(graph: GraphServiceClient, subject: str) -> OnlineMeeting:
    """`new_meeting`, organised by the co-ordinator, with the bot installed in its chat."""
    created = await graph.users.by_user_id(COORDINATOR.object_id).online_meetings.post(
        new_meeting(subject)
    )
    assert created is not None
    assert created.chat_info is not None
    assert created.chat_info.thread_id is not None
    await graph.chats.by_chat_id(created.chat_info.thread_id).installed_apps.post(
        installation([p.value for p in BOT_RSC_PERMISSIONS])
    )
    return created


def wav(rate: int = 16000, seconds: float = 0.1, channels: int = 1) -> bytes:
    """Silence as a 16-bit PCM WAV file."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(b"\0\0" * channels * int(rate * seconds))
    return buffer.getvalue()


async def verified_claims(token: str, jwks_url: str, audience: str) -> dict[str, Any]:
    """The token's claims, checked against the key set at `jwks_url` (signature, audience,
    issuer `https://api.botframework.com`, lifetime)."""
    keys = jwt.PyJWKClient(jwks_url)
    signing_key = await asyncio.to_thread(keys.get_signing_key_from_jwt, token)
    claims: dict[str, Any] = jwt.decode(
        token,
        signing_key.key,
        algorithms=["RS256"],
        audience=audience,
        issuer="https://api.botframework.com",
        options={"require": ["exp", "nbf", "iss", "aud"]},
    )
    return claims
