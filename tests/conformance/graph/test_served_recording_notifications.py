"""Microsoft's documented notifications of a new recording or transcript
(`graph/recording_created_basic.json`, `graph/transcript_created_basic.json`,
`graph/recording_created_with_resource_data.json`) posted to `/notifications/recordings` of the
bot as `make run` serves it (`tests/served_bot.py`, one bot per engine for the module),
subscribed through the sandbox tenant: the recording made in a meeting nobody consented to
record is found from the notification, and the organiser is alerted.

Identifiers only are changed at run time: the subscription id and clientState become the
bot's subscription's, the tenant the sandbox's, and the meeting and recording (or transcript)
ids in `resource` and `resourceData` the sandbox's. The sandbox's own notifications are
dropped (a notification fault), so only the documented one reaches the bot."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.graph.recordings import WATCHED, resource_of
from bot.policy.recording_backstop import ArtefactKind
from bot.recording_backstop_runtime import NOTIFICATION_PATH
from consent_store.recording_artefacts import RecordingArtefacts
from sandbox.graph.online_meetings import open_online_meeting
from sandbox.recordings import MeetingArtefact
from sandbox.seed import COORDINATOR
from tests.conformance.documented import documented
from tests.conftest import ENGINES
from tests.served_bot import ServedInstallation, installation_served
from tests.tenant_flows.conftest import People, parent_and_school_meeting
from tests.tenant_flows.test_recording_subscriptions import ALERT_SUBJECT
from tests.tenant_flows.test_serving import eventually


@pytest.fixture(scope="module", params=ENGINES)
async def served(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
) -> AsyncIterator[ServedInstallation]:
    """The bot served for the module on each engine, once it has subscribed to new recordings
    and transcripts."""
    async with installation_served(request, tmp_path_factory, sqlite_template) as served:

        async def subscribed() -> bool:
            async with served.store.reading() as uow:
                return len(await RecordingArtefacts(uow).client_states()) == 2

        await eventually(subscribed)
        yield served


@dataclass(frozen=True)
class EndedMeeting:
    id: str
    reference: str
    artefacts: list[MeetingArtefact]


async def recorded_unseen(served: ServedInstallation) -> EndedMeeting:
    """A meeting that ended an hour ago, nobody having consented, that Teams recorded (and
    transcribed) most of; the sandbox's own notifications of it are lost."""
    now = datetime.now(UTC)
    start = now - timedelta(hours=2)
    online = open_online_meeting(served.sandbox, COORDINATOR, {})
    async with served.store.unit_of_work() as uow:
        row = await uow.meetings.add(parent_and_school_meeting(start), now - timedelta(days=3))
        row.teams_meeting_id = online.id
        meeting = EndedMeeting(row.id, row.reference, [])
        await uow.commit()
    served.sandbox.faults.disturb_notifications("drop", count=2)
    meeting.artefacts.extend(
        served.sandbox.recordings.made(
            meeting_id=online.id,
            organizer_id=COORDINATOR.object_id,
            tenant_id=served.sandbox.tenant_id,
            call_id="call",
            started_at=start + timedelta(minutes=5),
            ended_at=start + timedelta(minutes=50),
            transcribed=True,
        )
    )
    return meeting


async def as_sent(
    name: str, served: ServedInstallation, artefact: MeetingArtefact, kind: ArtefactKind
) -> dict[str, Any]:
    """The documented notification with the bot's subscription and the sandbox's ids."""
    body = documented(name)
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
    async with served.store.reading() as uow:
        kept = await RecordingArtefacts(uow).subscription(WATCHED[kind])
    assert kept is not None
    notification |= {
        "subscriptionId": kept.subscription_id,
        "clientState": kept.client_state,
        "tenantId": served.sandbox.tenant_id,
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
    served: ServedInstallation, name: str, kind: ArtefactKind
) -> None:
    meeting = await recorded_unseen(served)
    (artefact,) = [a for a in meeting.artefacts if a.kind == kind.value]
    body = await as_sent(name, served, artefact, kind)

    async with aiohttp.ClientSession() as http:
        async with http.post(served.origin + NOTIFICATION_PATH, json=body) as answer:
            assert answer.status == 202

        async def alerts() -> list[dict[str, Any]]:
            inbox = await People(served.sandbox_origin, http).inbox(COORDINATOR.mail)
            return [
                m
                for m in inbox
                if ALERT_SUBJECT in m["subject"] and meeting.reference in m["subject"]
            ]

        async def alerted() -> bool:
            return bool(await alerts())

        await eventually(alerted)
        async with served.store.reading() as uow:
            (kept,) = await RecordingArtefacts(uow).for_meeting(meeting.id)
        assert (kept.kind, kept.permitted, kept.found_by) == (kind.value, False, "notification")
        assert len(await alerts()) == 1
