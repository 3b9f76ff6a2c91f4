"""A recording made without consent whose sharing the bot cannot remove (sandbox/FIDELITY.md,
"Removing a recording's sharing: not possible through Graph"): against the sandbox tenant on
both engines, the bot's notification of the recording is audited with `sharing: not_reachable`,
and the alert that reaches the organiser and the service manager says in words that the bot
could not remove its sharing and deleted nothing, so staff know the file is theirs to deal
with. The recording stays in Teams."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.graph.mailbox import ConsentMailbox
from bot.policy.recording_backstop import ArtefactKind
from bot.ports.recordings import NotifiedArtefact
from bot.services.recording_backstop import FOUND_WITHOUT_CONSENT, SHARING_NOT_REACHABLE
from consent_store.recording_artefacts import RecordingArtefacts
from consent_store.tables import AuditEntryRow
from consent_store.unit_of_work import Store
from sandbox.seed import COORDINATOR, SERVICE_MANAGER
from tests.sandbox.conftest import RunningSandbox
from tests.tenant_flows.conftest import People
from tests.tenant_flows.test_recording_backstop_checks import (
    ALERT_SUBJECT,
    backstop,
    recorded_meeting,
)

SHARING_NOT_REMOVED = "The bot cannot reach the file to remove its sharing."
NOTHING_DELETED = "The bot has not deleted anything"


async def test_the_sharing_the_bot_cannot_remove_is_audited_and_said_in_the_alert(
    store: Store, tenant_sandbox: RunningSandbox, mailbox: ConsentMailbox, people: People
) -> None:
    meeting_id = await recorded_meeting(store, tenant_sandbox, consented=False, transcribed=False)
    async with store.reading() as uow:
        teams_meeting_id = (await uow.meetings.get(meeting_id)).teams_meeting_id
    assert teams_meeting_id is not None
    (made,) = tenant_sandbox.tenant.recordings.of_meeting(teams_meeting_id, "recording")

    found = await backstop(store, mailbox).notified(
        NotifiedArtefact(teams_meeting_id, ArtefactKind.RECORDING, made.id)
    )

    assert found == 1
    async with store.reading() as uow:
        (kept,) = await RecordingArtefacts(uow).for_meeting(meeting_id)
        (detail,) = await uow.session.scalars(
            select(AuditEntryRow.detail).where(
                AuditEntryRow.meeting_id == meeting_id,
                AuditEntryRow.action == FOUND_WITHOUT_CONSENT,
            )
        )
    audited = json.loads(detail)
    assert (audited["sharing"], audited["found_by"]) == (SHARING_NOT_REACHABLE, "notification")
    assert kept.needs_staff
    for address in (COORDINATOR.mail, SERVICE_MANAGER.mail):
        (alert,) = [m for m in await people.inbox(address) if ALERT_SUBJECT in m["subject"]]
        words = " ".join(alert["text"].split())
        assert SHARING_NOT_REMOVED in words
        assert NOTHING_DELETED in words
    assert [
        r.id for r in tenant_sandbox.tenant.recordings.of_meeting(teams_meeting_id, "recording")
    ] == [made.id]
