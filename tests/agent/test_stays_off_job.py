"""The notice that recording stays off, given by its durable job in the bot as served: the
in-meeting use cases (`LiveMeetings.connect`) hand the job runner the job's handler, and the
job reaches the organising staff in the meeting through the bot's real connector (a targeted
meeting notification), with the reason noted when the gate closed."""

from __future__ import annotations

from datetime import timedelta

from aiohttp.test_utils import TestServer, unused_port

from bot.config import Settings
from bot.graph.tenant import open_tenant
from bot.meeting_runtime import LiveMeetings
from bot.policy.blockers import BlockerCode
from bot.scheduler.runner import JobRunner
from bot.services.stays_off_notice import BACKSTOP_AFTER, STAYS_OFF, queue_stays_off
from bot.speech.espeak import EspeakBackend
from bot.web.app import create_app
from consent_store.unit_of_work import Store
from sandbox.seed import BOT_CATALOG_APP_ID, CONSENT_MAILBOX
from tests.agent.conftest import LinkedMeeting
from tests.conftest import FakeClock
from tests.sandbox.conftest import RunningSandbox
from tests.web.staff_site import tenant_settings


async def test_the_served_bot_gives_the_stays_off_notice_by_its_job(
    store: Store, sandbox: RunningSandbox, linked_meeting: LinkedMeeting, clock: FakeClock
) -> None:
    port = unused_port()
    base_url = f"http://127.0.0.1:{port}"
    tenant = tenant_settings(
        sandbox.origin,
        base_url,
        consent_mailbox=CONSENT_MAILBOX.mail,
        teams_catalog_app_id=BOT_CATALOG_APP_ID,
    )
    settings = Settings(_env_file=None)
    app = create_app(settings, store, tenant=tenant)
    live = LiveMeetings(store, tenant, settings.service, "instance-a", EspeakBackend())
    live.attach(app)
    organiser = await sandbox.teams.start(linked_meeting.online_id)
    async with store.unit_of_work() as uow:
        meeting_id = linked_meeting.row.id
        reasons = (BlockerCode.UNKNOWN_PARTICIPANT_PRESENT.value,)
        assert await uow.meetings.close_recording_for_good(meeting_id, uow.now(), reasons)
        await queue_stays_off(uow, meeting_id)
        await uow.commit()

    async with TestServer(app, host="127.0.0.1", port=port), open_tenant(tenant) as clients:
        handlers = live.connect(clients)
        try:
            assert STAYS_OFF in handlers
            runner = JobRunner(
                store, handlers, "instance-a", timedelta(minutes=1), timedelta(1), clock=clock
            )
            clock.now += BACKSTOP_AFTER
            assert await runner.run_once() == 1
        finally:
            await live.disconnect()

    meeting = sandbox.tenant.live_meetings.get(linked_meeting.online_id)
    assert meeting is not None
    (notification,) = meeting.notifications
    assert notification["recipients"] == [organiser.attendance.account.id]
    (surface,) = notification["surfaces"]
    title = surface["content"]["value"]["title"]
    assert title.startswith("Recording stays off until this meeting ends")
    assert "Someone who is not on the attendee list is in the meeting." in title
