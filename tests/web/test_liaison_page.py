"""Staff name the professionals to liaise with from the meeting's liaison page: bad lists are
refused in plain words with what was typed kept and nothing saved; a good list is saved,
audited by count, the parent is emailed, and the page shows each organisation's permission."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import aiohttp
from sqlalchemy import select

from consent_store.liaison import LiaisonRecords
from consent_store.records import NewDecision
from consent_store.tables import AuditEntryRow, ConsentRequestRow
from consent_store.unit_of_work import Store
from domain.terms import AuthVerdict, Decision, Topic
from tests.builders import PARENT, schedule
from tests.conftest import FakeClock
from tests.web.staff_site import CSRF_TOKEN, StaffServer
from tests.web.test_edit_and_cancel import connected, teams_clients, teams_sandbox

__all__ = ["connected", "teams_clients", "teams_sandbox"]

NAMED = "Northshire SEND team, SEND officer\n\n  Fellside Primary,   SENCO  \n"


async def test_bad_lists_are_refused_in_words_and_nothing_is_saved(
    store: Store, signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    meeting_id, _ = await schedule(store)
    async with store.reading() as uow:
        reference = (await uow.meetings.get(meeting_id)).reference
    url = staff_site.url(f"/tab/meetings/{reference}/liaison")
    first = await signed_in.get(url)
    assert first.status == 200
    assert "No one is named yet" in await first.text()

    eleven = "\n".join(f"Organisation {n}" for n in range(11))
    refused = [
        (eleven, "Name at most 10 professionals or organisations"),
        ("School\nschool", "is named twice"),
        ("x" * 201, "at most 200 characters"),
    ]
    for typed, reason in refused:
        response = await signed_in.post(
            url, data={"csrf_token": CSRF_TOKEN, "organisations": typed}
        )
        text = await response.text()
        assert response.status == 400
        assert "There is a problem" in text
        assert reason in html.unescape(text)
        assert f">{html.escape(typed)}</textarea>" in text, "what was typed is kept"
    offline = await signed_in.post(url, data={"csrf_token": CSRF_TOKEN, "organisations": NAMED})
    assert offline.status == 503
    assert "nothing was saved" in await offline.text()
    async with store.reading() as uow:
        assert await LiaisonRecords(uow).organisations(meeting_id) == []


async def test_a_good_list_is_saved_audited_the_parent_asked_and_the_meeting_page_follows(
    store: Store, client: aiohttp.ClientSession, connected: StaffServer, clock: FakeClock
) -> None:
    signed_in, staff_site = client, connected
    meeting_id, (parent, _, _) = await schedule(store)
    async with store.reading() as uow:
        reference = (await uow.meetings.get(meeting_id)).reference
    url = staff_site.url(f"/tab/meetings/{reference}/liaison")
    saved = await signed_in.post(
        url, data={"csrf_token": CSRF_TOKEN, "organisations": NAMED}, allow_redirects=False
    )
    assert (saved.status, saved.headers.get("Location")) == (
        303,
        f"/tab/meetings/{reference}/liaison?done=saved",
    )
    text = await (await signed_in.get(staff_site.url(saved.headers["Location"]))).text()
    assert "were emailed to ask for their permission" in text
    assert '<th scope="row" class="govuk-table__header">Fellside Primary, SENCO</th>' in text
    assert text.count("<strong>No</strong>") == 2
    assert (
        f"{PARENT.name} (parent carer) has not replied to the request for consent to staff"
        " liaising with the professionals named." in html.unescape(text)
    )
    async with store.reading() as uow:
        audited = list(
            await uow.session.execute(
                select(AuditEntryRow.action, AuditEntryRow.detail).where(
                    AuditEntryRow.meeting_id == meeting_id
                )
            )
        )
        asked = list(
            await uow.session.scalars(
                select(ConsentRequestRow.attendee_id).where(
                    ConsentRequestRow.meeting_id == meeting_id
                )
            )
        )
    assert ("liaison.named", '{"added":2,"removed":0}') in [(a, d) for a, d in audited]
    assert asked == [parent], "only the service user is asked"

    meeting_page = staff_site.url(f"/tab/meetings/{reference}")
    shown = words_of(await (await signed_in.get(meeting_page)).text())
    assert "Fellside Primary, SENCO: liaison not permitted" in shown
    async with store.reading() as uow:
        request_id = await uow.session.scalar(
            select(ConsentRequestRow.id).where(ConsentRequestRow.meeting_id == meeting_id)
        )
    assert request_id is not None
    await parent_says(store, meeting_id, parent, request_id, Decision.GIVEN, clock)
    shown = words_of(await (await signed_in.get(meeting_page)).text())
    assert "Northshire SEND team, SEND officer: liaison permitted" in shown
    assert "Fellside Primary, SENCO: liaison permitted" in shown
    await parent_says(store, meeting_id, parent, request_id, Decision.WITHDRAWN, clock)
    shown = words_of(await (await signed_in.get(meeting_page)).text())
    assert (
        f"Fellside Primary, SENCO: liaison not permitted {PARENT.name} withdrew consent to staff"
        " liaising with the professionals named." in shown
    )


def words_of(page: str) -> str:
    """The page's text as read, without markup."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", page)).split())


async def parent_says(
    store: Store,
    meeting_id: str,
    parent: str,
    request_id: str,
    decision: Decision,
    clock: FakeClock,
) -> None:
    """The parent's answer to the request, as the intake records it, a minute later."""
    clock.now += timedelta(minutes=1)
    async with store.unit_of_work() as uow:
        await uow.meetings.add_decision(
            NewDecision(
                meeting_id=meeting_id,
                attendee_id=parent,
                topic=Topic.LIAISON,
                decision=decision,
                received_at=uow.now(),
                auth=AuthVerdict.PASS,
                sender_matches=True,
                decided_by="email",
                request_id=request_id,
            ),
            uow.now(),
        )
        await uow.commit()
    clock.now += timedelta(minutes=1)
