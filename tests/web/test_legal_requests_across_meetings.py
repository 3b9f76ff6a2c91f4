"""A legal request may concern several meetings (issue 17: staff log "which meetings it
concerns"): it is about one service user, the same person invited to each of them at the same
address, as the same kind of attendee. Meetings that do not share the service user, or no
meeting at all, are refused in plain words with what was typed kept, and nothing is kept."""

from __future__ import annotations

import html
import json
from datetime import timedelta

import aiohttp
from markupsafe import escape
from sqlalchemy import func, select

from consent_store.legal_requests import LegalRequests
from consent_store.records import NewAttendee
from consent_store.tables import AuditEntryRow, LegalRequestMeetingRow, LegalRequestRow
from consent_store.unit_of_work import Store
from domain.terms import AttendeeKind
from tests.builders import MEETING_START, PARENT, SENCO, STAFF, a_meeting, schedule
from tests.web.staff_site import CSRF_TOKEN, StaffServer
from tests.web.test_legal_requests import BASIS, words_of

AS_YOUNG_PERSON = NewAttendee(PARENT.name, PARENT.email, AttendeeKind.YOUNG_PERSON)
OTHER_PARENT = NewAttendee("Ola Brennan", "ola.brennan@example.org", AttendeeKind.PARENT_CARER)


async def meeting_with(store: Store, days: int, *attendees: NewAttendee) -> str:
    meeting_id, _ = await schedule(
        store,
        a_meeting(starts_at=MEETING_START + timedelta(days=days), attendees=(*attendees, STAFF)),
    )
    async with store.reading() as uow:
        return (await uow.meetings.get(meeting_id)).reference


def form(meetings: str) -> dict[str, str]:
    return {
        "csrf_token": CSRF_TOKEN,
        "officer_name": "Sam Lee, SEND casework officer",
        "officer_email": "sam.lee@council.example.gov.uk",
        "basis": BASIS,
        "meetings": meetings,
        "service_user_email": PARENT.email,
    }


async def kept(store: Store) -> tuple[int, int]:
    async with store.reading() as uow:
        requests = await uow.session.scalar(select(func.count()).select_from(LegalRequestRow))
        links = await uow.session.scalar(select(func.count()).select_from(LegalRequestMeetingRow))
    return int(requests or 0), int(links or 0)


async def test_a_request_naming_two_meetings_with_the_same_parent_is_logged(
    store: Store, signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    first = await meeting_with(store, 0, PARENT, SENCO)
    second = await meeting_with(store, 30, PARENT)

    logged = await signed_in.post(
        staff_site.url("/tab/legal"), data=form(f"{first}, {second.lower()}")
    )

    assert logged.status == 200
    assert "The request was logged." in words_of(await logged.text())
    legal = str(logged.url).split("/")[-1].split("?")[0]
    async with store.reading() as uow:
        request = await LegalRequests(uow).get(legal)
        person = await LegalRequests(uow).service_user(request.attendee_id)
        (entry,) = await uow.session.scalars(
            select(AuditEntryRow.detail).where(AuditEntryRow.action == "legal_request.logged")
        )
    assert request.meeting_references == (first, second)
    assert person.kind == AttendeeKind.PARENT_CARER.value
    assert json.loads(entry) == {"reference": legal, "meetings": 2}
    page = words_of(await (await signed_in.get(staff_site.url(f"/tab/legal/{legal}"))).text())
    assert f"{first}, {second}" in page, "both meetings on its page"


async def test_meetings_that_do_not_share_the_service_user_are_refused(
    store: Store, signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    with_parent = await meeting_with(store, 0, PARENT, SENCO)
    without_parent = await meeting_with(store, 10, OTHER_PARENT, SENCO)
    as_young_person = await meeting_with(store, 20, AS_YOUNG_PERSON)
    cases = [
        (
            f"{with_parent} {without_parent}",
            f"That address is not a parent carer or young person invited to {without_parent}."
            " A request can only name meetings the same person was invited to.",
        ),
        (
            f"{with_parent} {as_young_person}",
            "That address was invited as a parent carer to some of the meetings named and as a"
            " young person to others, so it is not clear whose information is asked for. Log one"
            " request for the parent carer's meetings and one for the young person's.",
        ),
        (" , ; ", "Enter the reference of at least one meeting the request is about."),
    ]
    for meetings, reason in cases:
        typed = form(meetings)
        response = await signed_in.post(staff_site.url("/tab/legal"), data=typed)
        text = await response.text()
        assert response.status == 400, reason
        assert "There is a problem" in text
        assert f'<a href="#meetings">{escape(reason)}</a>' in text, "in the error summary"
        assert reason in words_of(text)
        assert f'id="meetings" name="meetings" type="text" value="{escape(meetings)}"' in text
        assert f">{html.escape(BASIS)}</textarea>" in text, "what was typed is kept"
    assert await kept(store) == (0, 0), "nothing is half-created"
