"""Microsoft's documented recording and transcript notifications and callRecording payloads
(`tests/conformance/graph/`) read by the bot's own readers, and the sandbox's notifications and
callRecording objects checked against them."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from kiota_abstractions.authentication.anonymous_authentication_provider import (
    AnonymousAuthenticationProvider,
)
from msgraph.graph_request_adapter import GraphRequestAdapter
from msgraph.graph_service_client import GraphServiceClient

from bot.graph.recordings import MeetingRecordings, resource_of
from bot.policy.recording_backstop import ArtefactKind
from bot.recording_backstop_runtime import recording_notifications
from sandbox.notifier import artefact_notification
from sandbox.recordings import ArtefactStore
from sandbox.seed import seeded_tenant
from sandbox.subscriptions import Subscription
from tests.conformance.documented import documented, key_paths

BASE = "https://graph.microsoft.com/v1.0"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("graph/recording_created_basic.json", ArtefactKind.RECORDING),
        ("graph/transcript_created_basic.json", ArtefactKind.TRANSCRIPT),
        ("graph/recording_created_with_resource_data.json", ArtefactKind.RECORDING),
    ],
)
def test_each_documented_notification_names_its_meeting_and_artefact(
    name: str, kind: ArtefactKind
) -> None:
    body = documented(name)
    notification = body["value"][0] if "value" in body else body
    (read,) = recording_notifications(body) or []
    assert read[:2] == (notification["subscriptionId"], "secretClientState")
    named = resource_of(read[2])
    assert named is not None
    assert named.kind is kind
    assert named.graph_id == notification["resourceData"]["id"]
    assert named.meeting_id.startswith("MSo5NzZm")
    assert resource_of(notification["resourceData"]["@odata.id"]) == named


def test_the_unquoted_resource_form_is_read_alike() -> None:
    quoted = resource_of("communications/onlineMeetings('M1')/recordings('R1')")
    assert resource_of("communications/onlineMeetings/M1/recordings/R1") == quoted
    assert resource_of("users/someone/messages/1") is None


def test_a_body_without_notifications_is_refused() -> None:
    assert recording_notifications({"value": [{"subscriptionId": "s"}]}) is None
    assert recording_notifications({"value": ["not an object"]}) is None


def test_the_sandboxs_notification_carries_every_documented_key() -> None:
    tenant = seeded_tenant()
    subscription = Subscription(
        id="6aa5ced2-0a5a-4643-9274-3109c731d986",
        application_id="app",
        creator_id="app",
        resource="communications/onlineMeetings/getAllRecordings",
        change_types=frozenset({"created"}),
        notification_url="https://bot.example/notifications/recordings",
        lifecycle_notification_url=None,
        client_state="secretClientState",
        expiration=datetime(2026, 12, 8, tzinfo=UTC),
        latest_supported_tls_version="v1_2",
        mailbox_owner_id="",
        folder=None,
        artefact_kind="recording",
    )
    (artefact,) = ArtefactStore().made(
        meeting_id="MSo5NzZm",
        organizer_id="976f4b31-fd01-4e0b-9178-29cc40c14438",
        tenant_id=tenant.tenant_id,
        call_id="call",
        started_at=datetime(2026, 12, 7, 10, tzinfo=UTC),
        ended_at=datetime(2026, 12, 7, 11, tzinfo=UTC),
        transcribed=False,
    )
    sent = artefact_notification(tenant, subscription, artefact)["value"][0]
    assert key_paths(documented("graph/recording_created_basic.json")) <= key_paths(sent)
    listed = documented("graph/online_meeting_recordings.json")["value"][0]
    assert key_paths(listed) <= key_paths(artefact.graph_resource(BASE))
    assert key_paths(documented("graph/call_recording.json")) - {"content"} <= key_paths(
        artefact.graph_resource(BASE)
    )


async def test_the_documented_recordings_list_is_read_by_the_bots_adapter() -> None:
    requests: list[httpx.Request] = []
    recordings_page = documented("graph/online_meeting_recordings.json")

    def answer(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        if request.url.path.endswith("/recordings"):
            return httpx.Response(200, json=recordings_page)
        return httpx.Response(200, json={"value": []})

    client = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    adapter = GraphRequestAdapter(AnonymousAuthenticationProvider(), client=client)
    adapter.base_url = BASE
    graph = GraphServiceClient(request_adapter=adapter)
    found = await MeetingRecordings(graph, "app").artefacts("organiser", "meeting")
    (recording,) = found
    assert recording.kind is ArtefactKind.RECORDING
    assert recording.graph_id == "7e31db25-bc6e-4fd8-96c7-e01264e9b6fc"
    assert recording.created_at is not None
    assert recording.created_at.replace(microsecond=0) == datetime(
        2023, 4, 10, 8, 13, 17, tzinfo=UTC
    )
    assert recording.ended_at is None
    assert [r.url.path for r in requests] == [
        "/v1.0/users/organiser/onlineMeetings/meeting/recordings",
        "/v1.0/users/organiser/onlineMeetings/meeting/transcripts",
    ]
