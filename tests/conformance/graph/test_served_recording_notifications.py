"""Microsoft's documented notifications of a new recording or transcript
(`graph/recording_created_basic.json`, `graph/transcript_created_basic.json`,
`graph/recording_created_with_resource_data.json`) posted to `/notifications/recordings` of the
recording backstop as the bot serves it, subscribed through the sandbox tenant: the recording
made in a meeting nobody consented to record is found from the notification, and the organiser
is alerted.

Identifiers only are changed at run time: the subscription id and clientState become the
bot's subscription's, the tenant the sandbox's, and the meeting and recording (or transcript)
ids in `resource` and `resourceData` the sandbox's. The sandbox's own notifications are
dropped (a notification fault), so only the documented one reaches the bot."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.graph.recordings import resource_of
from bot.policy.recording_backstop import ArtefactKind
from bot.recording_backstop_runtime import NOTIFICATION_PATH
from consent_store.recording_artefacts import RecordingArtefacts
from consent_store.unit_of_work import Store
from sandbox.recordings import MeetingArtefact
from sandbox.seed import COORDINATOR
from tests.conformance.documented import HERE
from tests.conftest import FakeClock
from tests.sandbox.conftest import RunningSandbox
from tests.tenant_flows.conftest import People, people, tenant_sandbox
from tests.tenant_flows.test_recording_subscriptions import (
    ALERT_SUBJECT,
    Watch,
    connected,
    eventually,
)

__all__ = ["people", "tenant_sandbox"]


@pytest.fixture
async def watch(
    store: Store, clock: FakeClock, tenant_sandbox: RunningSandbox, env_without_iass: Path
) -> AsyncIterator[Watch]:
    async for connected_watch in connected(store, clock, tenant_sandbox):
        yield connected_watch


def made_unseen(watch: Watch) -> list[MeetingArtefact]:
    """Teams records (and transcribes) most of the meeting; the sandbox's own notifications
    of it are lost."""
    watch.sandbox.tenant.faults.disturb_notifications("drop", count=2)
    start = watch.clock.now - timedelta(hours=2)
    return watch.sandbox.tenant.recordings.made(
        meeting_id=watch.teams_meeting_id,
        organizer_id=COORDINATOR.object_id,
        tenant_id=watch.sandbox.tenant.tenant_id,
        call_id="call",
        started_at=start + timedelta(minutes=5),
        ended_at=start + timedelta(minutes=50),
        transcribed=True,
    )


async def as_sent(name: str, watch: Watch, artefact: MeetingArtefact) -> dict[str, Any]:
    """The documented notification with the bot's subscription and the sandbox's ids."""
    body: dict[str, Any] = json.loads((HERE / name).read_text())
    del body["_source"]
    (notification,) = body.get("value", [body])
    named = resource_of(notification["resource"])
    assert named is not None
    text = json.dumps(body)
    for documented_id, ours in (
        (named.meeting_id, artefact.meeting_id),
        (named.graph_id, artefact.id),
    ):
        text = text.replace(documented_id, ours)
    sent: dict[str, Any] = json.loads(text)
    (notification,) = sent.get("value", [sent])
    kept = await watch.kept()
    subscription_id, client_state, _ = next(
        found for resource, found in kept.items() if artefact.kind in resource.lower()
    )
    notification |= {
        "subscriptionId": subscription_id,
        "clientState": client_state,
        "tenantId": watch.sandbox.tenant.tenant_id,
    }
    return sent


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("graph/recording_created_basic.json", ArtefactKind.RECORDING),
        ("graph/recording_created_with_resource_data.json", ArtefactKind.RECORDING),
        ("graph/transcript_created_basic.json", ArtefactKind.TRANSCRIPT),
    ],
)
async def test_a_documented_notification_finds_the_recording_and_alerts_the_organiser(
    watch: Watch, people: People, name: str, kind: ArtefactKind
) -> None:
    (artefact,) = [a for a in made_unseen(watch) if a.kind == kind.value]
    body = await as_sent(name, watch, artefact)

    async with watch.http.post(watch.public_url + NOTIFICATION_PATH, json=body) as answer:
        assert answer.status == 202

    async def alerts() -> list[dict[str, Any]]:
        inbox = await people.inbox(COORDINATOR.mail)
        return [m for m in inbox if ALERT_SUBJECT in m["subject"]]

    async def alerted() -> bool:
        return bool(await alerts())

    await eventually(alerted)
    await watch.sandbox.notifier.idle()
    async with watch.store.reading() as uow:
        (kept,) = await RecordingArtefacts(uow).for_meeting(watch.meeting_id)
    assert (kept.kind, kept.permitted, kept.found_by) == (kind.value, False, "notification")
    assert len(await alerts()) == 1
