"""`/api/messages` as the bot serves it (`LiveMeetings`, meeting events into the activity
inbox), on both engines: a participant joining while the store refuses connections is not
answered 2xx, so the bot never claims to have taken what it could not store, and Teams may
send it again; once the store is back, the next join is answered and stored."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestServer, unused_port
from sqlalchemy import func, select

from bot.config import Settings
from bot.meeting_runtime import LiveMeetings
from bot.speech.espeak import EspeakBackend
from bot.web.app import create_app
from consent_store.tables import MeetingActivityRow
from consent_store.unit_of_work import Store
from sandbox.seed import PARENT_CARER
from tests.agent.conftest import LinkedMeeting
from tests.outage import Outage
from tests.sandbox.conftest import RunningSandbox
from tests.web.staff_site import tenant_settings


@pytest.fixture
async def served_live_meetings(store: Store, sandbox: RunningSandbox) -> AsyncIterator[None]:
    """The bot's app with `/api/messages` as `iass-bot serve` routes it, on a free port."""
    port = unused_port()
    base_url = f"http://127.0.0.1:{port}"
    tenant = tenant_settings(sandbox.origin, base_url)
    settings = Settings(_env_file=None)
    app = create_app(settings, store, tenant=tenant)
    LiveMeetings(store, tenant, settings.service, "instance-a", EspeakBackend()).attach(app)
    async with TestServer(app, host="127.0.0.1", port=port):
        sandbox.tenant.bot_endpoint = f"{base_url}/api/messages"
        yield
        sandbox.tenant.bot_endpoint = None


async def stored(store: Store) -> int:
    async with store.reading() as uow:
        count = await uow.session.scalar(select(func.count()).select_from(MeetingActivityRow))
    return int(count or 0)


@pytest.mark.usefixtures("served_live_meetings")
async def test_a_join_the_store_cannot_take_is_refused(
    sandbox: RunningSandbox, linked_meeting: LinkedMeeting, store: Store, database_url: str
) -> None:
    teams, meeting = sandbox.teams, linked_meeting.online_id
    started = await teams.start(meeting)
    assert started.delivery.delivered
    before = await stored(store)

    outage = Outage(store, database_url)
    await outage.begin()
    try:
        joined = await teams.admit(meeting, PARENT_CARER.address)
    finally:
        await outage.end()
    assert joined.delivery.outcome.startswith("failed: HTTP 5")
    assert await stored(store) == before

    await teams.leave(meeting, joined.attendance.account.id)
    again = await teams.admit(meeting, PARENT_CARER.address)
    assert again.delivery.delivered
    assert await stored(store) == before + 2
