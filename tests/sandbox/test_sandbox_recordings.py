"""The sandbox's recordings and transcripts, read with msgraph-sdk as the bot reads them: a
recording stopped in a meeting becomes a callRecording (with a transcript when the meeting
allows transcription), listed under its organiser's meeting; and who holds the app's roles."""

from __future__ import annotations

from datetime import timedelta

from msgraph.graph_service_client import GraphServiceClient

from bot.graph.recordings import MeetingRecordings
from bot.policy.recording_backstop import ArtefactKind
from sandbox.graph.online_meetings import open_online_meeting
from sandbox.seed import BOT_CLIENT_ID, COORDINATOR, SERVICE_MANAGER
from tests.sandbox.conftest import RunningSandbox


async def test_a_stopped_recording_is_listed_with_its_transcript(
    sandbox: RunningSandbox, graph: GraphServiceClient
) -> None:
    tenant = sandbox.tenant
    meeting = open_online_meeting(tenant, COORDINATOR, {})
    untranscribed = open_online_meeting(tenant, COORDINATOR, {"allowTranscription": False})
    for online_meeting in (meeting, untranscribed):
        sandbox.teams.create(online_meeting.id)
        await sandbox.teams.start(online_meeting.id)
        sandbox.teams.start_recording(online_meeting.id, COORDINATOR.object_id)
        sandbox.teams.stop_recording(online_meeting.id, COORDINATOR.object_id)
    recordings = MeetingRecordings(graph, BOT_CLIENT_ID)

    found = await recordings.artefacts(COORDINATOR.object_id, meeting.id)
    assert [a.kind for a in found] == [ArtefactKind.RECORDING, ArtefactKind.TRANSCRIPT]
    (recording, transcript) = found
    assert recording.created_at is not None
    assert recording.ended_at is not None
    assert timedelta(0) <= recording.ended_at - recording.created_at < timedelta(seconds=5)
    assert (transcript.created_at, transcript.ended_at) == (
        recording.created_at,
        recording.ended_at,
    )
    only = await recordings.artefacts(COORDINATOR.object_id, untranscribed.id)
    assert [a.kind for a in only] == [ArtefactKind.RECORDING]


async def test_the_manager_role_is_found_through_its_assignments(
    graph: GraphServiceClient,
) -> None:
    recordings = MeetingRecordings(graph, BOT_CLIENT_ID)
    assert await recordings.holders_of("IASS.Manager") == [SERVICE_MANAGER.object_id]
    assert len(await recordings.holders_of("IASS.Staff")) == 3
    assert await recordings.holders_of("IASS.Nobody") == []
