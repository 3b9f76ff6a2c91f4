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
from tests.conformance.documented import documented, shape_gaps

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


def artefact_subscription(kind: str) -> Subscription:
    return Subscription(
        id="6aa5ced2-0a5a-4643-9274-3109c731d986",
        application_id="app",
        creator_id="app",
        resource=f"communications/onlineMeetings/getAll{kind.title()}s",
        change_types=frozenset({"created"}),
        notification_url=f"https://bot.example/notifications/{kind}s",
        lifecycle_notification_url=None,
        client_state="secretClientState",
        expiration=datetime(2026, 12, 8, tzinfo=UTC),
        latest_supported_tls_version="v1_2",
        mailbox_owner_id="",
        folder=None,
        artefact_kind=kind,
    )


def test_the_sandboxs_notification_carries_every_documented_key() -> None:
    tenant = seeded_tenant()
    subscription = artefact_subscription("recording")
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
    assert shape_gaps(documented("graph/recording_created_basic.json"), sent) == set()
    listed = documented("graph/online_meeting_recordings.json")["value"][0]
    assert shape_gaps(listed, artefact.graph_resource(BASE)) == set()
    call_recording = documented("graph/call_recording.json")
    del call_recording["content"]
    assert shape_gaps(call_recording, artefact.graph_resource(BASE)) == set()


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


async def test_the_documented_call_recording_is_read_by_the_bots_adapter() -> None:
    """The decrypted callRecording of a notification with resource data, as the one item of
    the recordings list the bot asks for (a test edit: Microsoft shows it alone)."""
    documented_recording = documented("graph/call_recording.json")

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/recordings"):
            return httpx.Response(200, json={"value": [documented_recording]})
        return httpx.Response(200, json={"value": []})

    client = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    adapter = GraphRequestAdapter(AnonymousAuthenticationProvider(), client=client)
    adapter.base_url = BASE
    graph = GraphServiceClient(request_adapter=adapter)
    (recording,) = await MeetingRecordings(graph, "app").artefacts("organiser", "meeting")
    assert recording.kind is ArtefactKind.RECORDING
    assert recording.graph_id == documented_recording["id"]
    assert recording.created_at is not None
    assert recording.created_at.replace(microsecond=0) == datetime(
        2023, 7, 25, 9, 35, 2, tzinfo=UTC
    )


def test_the_sandboxs_transcript_notification_carries_every_documented_key() -> None:
    tenant = seeded_tenant()
    _, transcript = ArtefactStore().made(
        meeting_id="MSo5NzZm",
        organizer_id="976f4b31-fd01-4e0b-9178-29cc40c14438",
        tenant_id=tenant.tenant_id,
        call_id="call",
        started_at=datetime(2026, 12, 7, 10, tzinfo=UTC),
        ended_at=datetime(2026, 12, 7, 11, tzinfo=UTC),
        transcribed=True,
    )
    sent = artefact_notification(tenant, artefact_subscription("transcript"), transcript)
    (notification,) = sent["value"]
    assert shape_gaps(documented("graph/transcript_created_basic.json"), notification) == set()
    ((_, _, resource),) = recording_notifications(sent) or []
    named = resource_of(resource)
    assert named is not None
    assert (named.kind, named.graph_id) == (ArtefactKind.TRANSCRIPT, transcript.id)


def test_the_sandboxs_notification_has_every_key_of_one_with_resource_data_but_the_data() -> None:
    """The sandbox refuses `includeResourceData` (sandbox/FIDELITY.md), so it never sends the
    encrypted content or the validation tokens that come with it; every other key of
    Microsoft's notification with resource data is in the sandbox's basic one, and the bot
    reads the two alike."""
    tenant = seeded_tenant()
    (recording,) = ArtefactStore().made(
        meeting_id="MSo5NzZm",
        organizer_id="976f4b31-fd01-4e0b-9178-29cc40c14438",
        tenant_id=tenant.tenant_id,
        call_id="call",
        started_at=datetime(2026, 12, 7, 10, tzinfo=UTC),
        ended_at=datetime(2026, 12, 7, 11, tzinfo=UTC),
        transcribed=False,
    )
    sent = artefact_notification(tenant, artefact_subscription("recording"), recording)
    example = documented("graph/recording_created_with_resource_data.json")
    del example["validationTokens"]
    del example["value"][0]["EncryptedContent"]
    assert shape_gaps(example, sent) == set()
    ((subscription, state, resource),) = recording_notifications(sent) or []
    assert (subscription, state) == ("6aa5ced2-0a5a-4643-9274-3109c731d986", "secretClientState")
    assert resource_of(resource) == resource_of(recording.resource)
