"""The sandbox's test-only `ignore_writes` fault (sandbox/FIDELITY.md, "A PATCH answered but
not applied"): a matching PATCH is answered 200 with the resource as it stands and changes
nothing, as many times as asked; then PATCHes apply again. Also set through the control API."""

from __future__ import annotations

import aiohttp
from msgraph.generated.models.online_meeting import OnlineMeeting
from msgraph.graph_service_client import GraphServiceClient

from sandbox.seed import COORDINATOR
from tests.sandbox.builders import new_meeting
from tests.sandbox.conftest import RunningSandbox


async def test_an_ignored_patch_is_answered_with_the_meeting_unchanged_and_changes_nothing(
    graph: GraphServiceClient, sandbox: RunningSandbox
) -> None:
    meetings = graph.users.by_user_id(COORDINATOR.object_id).online_meetings
    created = await meetings.post(new_meeting("Ignored update"))
    assert created is not None
    assert created.id is not None
    assert created.allow_recording is False
    kept = sandbox.tenant.meetings.get(created.id)
    assert kept is not None
    changes = list(kept.allow_recording_changes)
    sandbox.tenant.faults.ignore_writes(1, path_contains="/onlineMeetings/")

    answered = await meetings.by_online_meeting_id(created.id).patch(
        OnlineMeeting(allow_recording=True)
    )

    assert answered is not None
    assert (answered.id, answered.allow_recording) == (created.id, False)
    assert kept.allow_recording is False
    assert kept.allow_recording_changes == changes
    assert sandbox.tenant.faults.describe()["requestFaults"] == []

    applied = await meetings.by_online_meeting_id(created.id).patch(
        OnlineMeeting(allow_recording=True)
    )
    assert applied is not None
    assert applied.allow_recording is True
    assert kept.allow_recording is True


async def test_ignored_writes_through_the_control_api_take_patches_only(
    graph: GraphServiceClient, sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    knobs = {"ignoreWrites": {"count": 2, "pathContains": "onlineMeetings"}}
    async with http.post(sandbox.url("/sandbox/api/faults"), json=knobs) as response:
        assert response.status == 200
        (fault,) = (await response.json())["requestFaults"]
    assert (fault["method"], fault["status"], fault["remaining"], fault["unapplied"]) == (
        "PATCH",
        200,
        2,
        True,
    )
    meetings = graph.users.by_user_id(COORDINATOR.object_id).online_meetings
    created = await meetings.post(new_meeting("Ignored twice"))
    assert created is not None
    assert created.id is not None
    read = await meetings.by_online_meeting_id(created.id).get()
    assert read is not None
    assert sandbox.tenant.faults.describe()["requestFaults"][0]["remaining"] == 2
