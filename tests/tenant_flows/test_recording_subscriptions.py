"""The recording backstop's subscriptions (`bot/recording_backstop_runtime.py`) against the
sandbox tenant on both engines: the runtime served on a local port as the bot serves it,
subscribed to new recordings and transcripts through the bot's own Graph clients.

- Renewal: the keeper renews both subscriptions on its schedule, before they expire, keeping
  their ids; one Graph has forgotten (expired, or a restart) is made again, and the meetings
  of the last day are checked again, since notifications were lost meanwhile.
- Lifecycle notifications, as Microsoft documents them ("Reduce missing subscriptions and
  change notifications", https://learn.microsoft.com/graph/change-notifications-lifecycle-events;
  the payloads kept in tests/conformance/graph/lifecycle_*.json), posted to
  `/notifications/recordings/lifecycle`: `reauthorizationRequired` and `subscriptionRemoved`
  check the subscriptions at once (a renewal reauthorizes; one gone is made again), `missed`
  checks again the meetings that ended in the last day; one with another clientState changes
  nothing.
- Graph removes the subscriptions (the sandbox sends `subscriptionRemoved`) and a recording is
  made before the bot subscribes again; or a recording's notification is lost and Graph sends
  `missed`: either way the check that follows finds the recording made without consent and
  alerts the organiser."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from pydantic import SecretStr
from sqlalchemy import select

from bot.config import TenantSettings
from bot.graph.tenant import open_tenant
from bot.recording_backstop_runtime import (
    LIFECYCLE_PATH,
    LIFETIME,
    RecordingBackstopRuntime,
    ignored,
)
from bot.scheduler.runner import Handler, JobRunner
from bot.services.backstop_checks import RECORDING_CHECK, RETRY_POLICIES
from consent_store.recording_artefacts import RecordingArtefacts
from consent_store.tables import JobRow
from consent_store.unit_of_work import Store
from sandbox.endpoints import tenant_endpoints
from sandbox.graph.online_meetings import open_online_meeting
from sandbox.seed import (
    BOT_CATALOG_APP_ID,
    BOT_CLIENT_ID,
    BOT_CLIENT_SECRET,
    CONSENT_MAILBOX,
    COORDINATOR,
    TENANT_ID,
)
from sandbox.subscriptions import Subscription
from tests.conformance.documented import documented
from tests.conftest import FakeClock
from tests.sandbox.conftest import RunningSandbox
from tests.served_bot import free_port_pair
from tests.tenant_flows.conftest import People, parent_and_school_meeting

ALERT_SUBJECT = "a recording made without consent"


@dataclass
class Watch:
    """The recording runtime connected to the sandbox, and what the test drives it with."""

    store: Store
    clock: FakeClock
    sandbox: RunningSandbox
    runtime: RecordingBackstopRuntime
    handlers: Mapping[str, Handler]
    public_url: str
    http: aiohttp.ClientSession
    meeting_id: str
    teams_meeting_id: str

    def subscriptions(self) -> dict[str, Subscription]:
        """The recording and transcript subscriptions the sandbox holds now, by resource."""
        tenant = self.sandbox.tenant
        return {
            s.resource: s for s in tenant.subscriptions.live_all(tenant.now()) if s.artefact_kind
        }

    async def kept(self) -> dict[str, tuple[str, str, datetime]]:
        """The bot's subscriptions as its store keeps them: id, client state and expiry."""
        async with self.store.reading() as uow:
            artefacts = RecordingArtefacts(uow)
            kept = {}
            for resource in self.subscriptions():
                found = await artefacts.subscription(resource)
                if found is not None:
                    kept[resource] = (found.subscription_id, found.client_state, found.expires_at)
            return kept

    async def catch_up_jobs(self) -> list[str]:
        """The checks again queued and not yet run."""
        async with self.store.reading() as uow:
            keys = await uow.session.scalars(
                select(JobRow.key).where(
                    JobRow.kind == RECORDING_CHECK,
                    JobRow.key.endswith(":catch-up"),
                    JobRow.done_at.is_(None),
                )
            )
            return list(keys)

    async def renewed(self) -> bool:
        """Both subscriptions now expire `LIFETIME` after the store's present, in Graph and as
        the store keeps them."""
        at = self.clock.now + LIFETIME
        kept = (await self.kept()).values()
        return expiring_at(self.subscriptions(), at) and all(
            abs((expires - at).total_seconds()) < 1 for _, _, expires in kept
        )

    async def checked_again(self) -> bool:
        """The meeting that ended is to be checked again."""
        return f"{RECORDING_CHECK}:{self.meeting_id}:catch-up" in await self.catch_up_jobs()

    async def run_jobs(self) -> int:
        runner = JobRunner(
            self.store,
            self.handlers,
            "test",
            timedelta(minutes=1),
            timedelta(seconds=1),
            clock=self.store.clock,
            retry=RETRY_POLICIES,
        )
        return await runner.run_once()

    async def lifecycle(self, body: dict[str, Any]) -> None:
        async with self.http.post(self.public_url + LIFECYCLE_PATH, json=body) as response:
            assert response.status == 202, await response.text()


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 10.0) -> None:
    for _ in range(int(seconds * 20)):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("did not happen in time")


def expiring_at(subscriptions: Mapping[str, Subscription], at: datetime) -> bool:
    return len(subscriptions) == 2 and all(
        abs((s.expiration - at).total_seconds()) < 1 for s in subscriptions.values()
    )


async def connected(
    store: Store, clock: FakeClock, sandbox: RunningSandbox
) -> AsyncIterator[Watch]:
    """The runtime connected, with a meeting that ended an hour ago in the store (nobody
    consented); the check of it that subscribing for the first time queued has run."""
    clock.now = datetime.now(UTC)
    meeting_id, teams_meeting_id = await ended_meeting(store, sandbox, clock.now)
    port = free_port_pair()
    public_url = f"http://127.0.0.1:{port}"
    settings = TenantSettings(
        _env_file=None,
        tenant_id=TENANT_ID,
        bot_app_id=BOT_CLIENT_ID,
        bot_app_secret=SecretStr(BOT_CLIENT_SECRET),
        consent_mailbox=CONSENT_MAILBOX.mail,
        teams_catalog_app_id=BOT_CATALOG_APP_ID,
        public_url=public_url,
    ).model_copy(update=tenant_endpoints(sandbox.origin))
    runtime = RecordingBackstopRuntime(store, settings)
    app = web.Application()
    runtime.attach(app)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        async with open_tenant(settings) as clients, aiohttp.ClientSession() as http:
            handlers = runtime.connect(clients)
            watch = Watch(
                store,
                clock,
                sandbox,
                runtime,
                handlers,
                public_url,
                http,
                meeting_id,
                teams_meeting_id,
            )
            try:
                await eventually(lambda: subscribed(watch))
                await eventually(watch.checked_again)
                assert await watch.run_jobs() == 1
                yield watch
            finally:
                await runtime.disconnect()
    finally:
        await runner.cleanup()


async def subscribed(watch: Watch) -> bool:
    """Both subscriptions in the sandbox, kept in the store under the same ids."""
    held = watch.subscriptions()
    kept = await watch.kept()
    return len(held) == 2 and {r: k[0] for r, k in kept.items()} == {
        r: s.id for r, s in held.items()
    }


@pytest.fixture
async def watch(
    store: Store, clock: FakeClock, tenant_sandbox: RunningSandbox, env_without_iass: Path
) -> AsyncIterator[Watch]:
    async for connected_watch in connected(store, clock, tenant_sandbox):
        yield connected_watch


@pytest.fixture
async def checked_often(
    store: Store,
    clock: FakeClock,
    tenant_sandbox: RunningSandbox,
    env_without_iass: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Watch]:
    """As `watch`, with the keeper's check every 0.1 s instead of every 20 minutes."""
    monkeypatch.setattr("bot.recording_backstop_runtime.CHECK_INTERVAL", 0.1)
    async for connected_watch in connected(store, clock, tenant_sandbox):
        yield connected_watch


async def ended_meeting(store: Store, sandbox: RunningSandbox, now: datetime) -> tuple[str, str]:
    """A meeting that ended an hour ago, nobody having consented: its id and its Teams id."""
    online = open_online_meeting(sandbox.tenant, COORDINATOR, {})
    async with store.unit_of_work() as uow:
        row = await uow.meetings.add(
            parent_and_school_meeting(now - timedelta(hours=2)), now - timedelta(days=3)
        )
        row.teams_meeting_id = online.id
        meeting_id = row.id
        await uow.commit()
    return meeting_id, online.id


def record(watch: Watch) -> None:
    """Teams makes a recording of most of the meeting, now."""
    start = watch.clock.now - timedelta(hours=2)
    watch.sandbox.tenant.recordings.made(
        meeting_id=watch.teams_meeting_id,
        organizer_id=COORDINATOR.object_id,
        tenant_id=watch.sandbox.tenant.tenant_id,
        call_id="call",
        started_at=start + timedelta(minutes=5),
        ended_at=start + timedelta(minutes=50),
        transcribed=False,
    )


async def found_and_alerted(watch: Watch, people: People) -> None:
    """The check again finds the recording after the meeting and alerts the organiser."""
    await eventually(watch.checked_again)
    assert await watch.run_jobs() == 1
    async with watch.store.reading() as uow:
        (found,) = await RecordingArtefacts(uow).for_meeting(watch.meeting_id)
    assert (found.kind, found.permitted, found.found_by) == ("recording", False, "after_meeting")
    alerts = [m for m in await people.inbox(COORDINATOR.mail) if ALERT_SUBJECT in m["subject"]]
    assert len(alerts) == 1


def ours(name: str, subscription_id: str, client_state: str) -> dict[str, Any]:
    """Microsoft's documented lifecycle notification, naming our subscription and its state."""
    body = documented(name)
    (notification,) = body["value"]
    notification |= {"subscriptionId": subscription_id, "clientState": client_state}
    return body


async def test_the_keeper_renews_before_expiry_and_subscribes_again_when_graph_forgot(
    checked_often: Watch,
) -> None:
    watch = checked_often
    first = watch.subscriptions()
    lifecycle_url = watch.public_url + LIFECYCLE_PATH
    assert {s.lifecycle_notification_url for s in first.values()} == {lifecycle_url}
    assert await watch.renewed()
    ids = {r: s.id for r, s in first.items()}

    watch.clock.now += timedelta(minutes=20)

    await eventually(watch.renewed)
    assert {r: s.id for r, s in watch.subscriptions().items()} == ids
    assert await watch.catch_up_jobs() == []

    assert len(watch.sandbox.tenant.subscriptions.remove_all()) == 2

    await eventually(lambda: subscribed(watch))
    assert not set(ids.values()) & {s.id for s in watch.subscriptions().values()}
    await eventually(watch.checked_again)


@pytest.mark.parametrize("event", ["reauthorizationRequired", "subscriptionRemoved"])
async def test_a_documented_reauthorization_or_removal_checks_the_subscriptions_at_once(
    watch: Watch, event: str
) -> None:
    (subscription_id, state, _), *_ = (await watch.kept()).values()
    ids = {r: s.id for r, s in watch.subscriptions().items()}
    watch.clock.now += timedelta(minutes=5)

    await watch.lifecycle(ours(f"graph/lifecycle_{event}.json", subscription_id, state))

    await eventually(watch.renewed)
    assert {r: s.id for r, s in watch.subscriptions().items()} == ids
    assert await watch.catch_up_jobs() == []


async def test_a_documented_missed_notification_checks_the_last_days_meetings_again(
    watch: Watch,
) -> None:
    (subscription_id, state, _), *_ = (await watch.kept()).values()

    await watch.lifecycle(ours("graph/lifecycle_missed.json", subscription_id, state))

    await eventually(watch.checked_again)
    assert await watch.run_jobs() == 1


async def test_a_lifecycle_notification_with_another_client_state_changes_nothing(
    watch: Watch,
) -> None:
    expiries = {r: s.expiration for r, s in watch.subscriptions().items()}
    (subscription_id, _, _), *_ = (await watch.kept()).values()
    refused = ignored["wrong client state"]
    watch.clock.now += timedelta(minutes=5)

    for event in ("missed", "reauthorizationRequired", "subscriptionRemoved"):
        body = documented(f"graph/lifecycle_{event}.json")
        body["value"][0]["subscriptionId"] = subscription_id
        await watch.lifecycle(body)

    assert ignored["wrong client state"] == refused + 3
    await asyncio.sleep(0.3)
    assert {r: s.expiration for r, s in watch.subscriptions().items()} == expiries
    assert await watch.catch_up_jobs() == []


async def test_subscriptions_graph_removed_are_made_again_and_what_was_missed_is_found(
    watch: Watch, people: People
) -> None:
    old = {s.id for s in watch.subscriptions().values()}

    removed = watch.sandbox.tenant.subscriptions.remove_all()
    record(watch)
    for subscription in removed:
        watch.sandbox.notifier.lifecycle(subscription, "subscriptionRemoved")

    await eventually(lambda: subscribed(watch))
    assert not old & {s.id for s in watch.subscriptions().values()}
    await found_and_alerted(watch, people)


async def test_a_missed_notification_finds_the_recording_whose_notification_was_lost(
    watch: Watch, people: People
) -> None:
    watch.sandbox.tenant.faults.disturb_notifications("drop")
    record(watch)
    await watch.sandbox.notifier.idle()
    async with watch.store.reading() as uow:
        assert await RecordingArtefacts(uow).for_meeting(watch.meeting_id) == []

    async with watch.http.post(
        watch.sandbox.url("/sandbox/api/subscriptions/lifecycle"), json={"event": "missed"}
    ) as sent:
        assert sent.status == 204

    await found_and_alerted(watch, people)
