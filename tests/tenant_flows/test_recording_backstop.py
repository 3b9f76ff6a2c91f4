"""The recording backstop end to end, the bot served as `make run` serves it beside the
sandbox tenant, driven through the sandbox's meeting controls as Teams would drive it.

Everyone consented, so Teams allows recording and the organiser starts a recording; a
stranger is admitted and the gate closes, but the recording runs on until the meeting ends.
Teams then makes the callRecording and notifies the bot's subscription; the bot finds the
recording, judges it made without consent (the gate closed before it ended), emails the
organiser and the service manager (who holds only the manager role), and the meeting page
shows it in red to the manager, until the manager records what was done with it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import aiohttp

from bot.config import Settings
from bot.graph.tenant import open_tenant
from bot.services.scheduling import schedule_meeting
from consent_store.recording_artefacts import RecordingArtefacts
from sandbox.seed import COORDINATOR, PARENT_CARER, SENCO, SERVICE_MANAGER
from tests.tenant_flows.conftest import People, parent_and_school_meeting
from tests.tenant_flows.test_bot_in_meeting import Running, eventually, running  # noqa: F401
from tests.web.staff_site import forms_in

ALERT_SUBJECT = "a recording made without consent"


async def sign_in_as(http: aiohttp.ClientSession, run: Running, account: str) -> None:
    """The staff sign-in as a browser follows it, choosing `account` in the sandbox."""
    bot = run.tenant.public_url
    to_sign_in = await http.get(f"{bot}/tab", allow_redirects=False)
    to_entra = await http.get(bot + to_sign_in.headers["Location"], allow_redirects=False)
    sign_in_page = await http.get(to_entra.headers["Location"])
    (choose,) = forms_in(await sign_in_page.text())
    assert account in choose.radios["account"]
    chosen = await http.post(
        run.origin + choose.action,
        data={**choose.fields, "account": account, "decision": "accept"},
    )
    (answer,) = forms_in(await chosen.text())
    signed_in = await http.post(answer.action, data=answer.fields, allow_redirects=False)
    assert signed_in.status == 303


async def test_a_recording_made_while_allowed_in_a_meeting_whose_gate_closed_is_brought_to_staff(
    running: Running,  # noqa: F811
) -> None:
    people = People(running.origin, running.http)
    async with open_tenant(running.tenant) as clients:
        scheduled = await schedule_meeting(
            running.store,
            clients.meetings,
            clients.mailbox,
            Settings().service,
            parent_and_school_meeting(datetime.now(UTC) + timedelta(days=2)),
            COORDINATOR.display_name,
        )
    reference = scheduled.reference
    await people.reply(PARENT_CARER.address, reference, "Yes to all of it.")
    await people.reply(SENCO.address, reference, "Yes, I agree to the meeting being recorded.")
    async with running.store.reading() as uow:
        online_meeting_id = (await uow.meetings.get(scheduled.meeting_id)).teams_meeting_id
    assert online_meeting_id is not None
    meeting = f"/meetings/{quote(online_meeting_id)}"

    async def recording_allowed() -> bool:
        return (await running.meeting(online_meeting_id)).get("allowRecording") is True

    await running.control("/meetings", {"onlineMeetingId": online_meeting_id})
    await eventually(recording_allowed)
    await running.control(f"{meeting}/start")
    await running.control(f"{meeting}/recording/start", {"by": COORDINATOR.object_id})
    await running.control(f"{meeting}/participants", {"anonymousName": "Pat Stranger"})

    async def gate_closed() -> bool:
        return (await running.meeting(online_meeting_id)).get("allowRecording") is False

    await eventually(gate_closed)
    await running.control(f"{meeting}/end")

    async def both_alerted() -> bool:
        inboxes = [await people.inbox(a) for a in (COORDINATOR.mail, SERVICE_MANAGER.mail)]
        return all(any(ALERT_SUBJECT in m["subject"] for m in inbox) for inbox in inboxes)

    await eventually(both_alerted, seconds=30)
    async with running.store.reading() as uow:
        (found,) = await RecordingArtefacts(uow).for_meeting(scheduled.meeting_id)
    assert (found.kind, found.permitted, found.found_by) == ("recording", False, "notification")
    assert found.reasons == ("gate_closed_during",)

    async with aiohttp.ClientSession() as manager:
        await sign_in_as(manager, running, SERVICE_MANAGER.object_id)
        page_url = f"{running.tenant.public_url}/tab/meetings/{reference}"
        page = await (await manager.get(page_url)).text()
        assert "A recording made without consent" in page
        assert "Recording stopped being permitted during the meeting" in page
        (form,) = [f for f in forms_in(page) if f.action.endswith(f"/recordings/{found.id}")]
        outcome = "Kept under the safeguarding hold; sharing checked with the organiser."
        done = await manager.post(
            running.tenant.public_url + form.action,
            data={**form.fields, "outcome": outcome},
            allow_redirects=False,
        )
        assert done.status == 303
        after = await (await manager.get(page_url)).text()
    assert "A recording made without consent" not in after
    assert outcome in after
