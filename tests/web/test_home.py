"""The staff home: upcoming and past meetings a page at a time (titles decrypted, times in UK
time), the review queue's count, and the way to schedule a meeting."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import aiohttp
from sqlalchemy import insert

from bot.web.meeting_list import PAGE_SIZE, Cursor, Listing, meeting_page
from consent_store.tables import MeetingRow
from consent_store.unit_of_work import Store
from tests.builders import a_meeting, schedule
from tests.conftest import FakeClock
from tests.web.markup import link, row
from tests.web.review_items import queue_item
from tests.web.staff_site import StaffServer, forms_in

MANY = 10_000


async def references(store: Store, *meeting_ids: str) -> list[str]:
    async with store.unit_of_work() as uow:
        return [(await uow.meetings.get(m)).reference for m in meeting_ids]


async def test_home_lists_meetings_in_uk_time_with_the_queue_count(
    store: Store, clock: FakeClock, signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    summer = clock.now.replace(month=7, day=1, hour=9)
    upcoming, _ = await schedule(store, a_meeting(starts_at=clock.now + timedelta(days=8)))
    past, _ = await schedule(store, a_meeting(starts_at=summer, title="Transition meeting"))
    await queue_item(store, upcoming)
    upcoming_ref, past_ref = await references(store, upcoming, past)

    page = await signed_in.get(staff_site.url("/tab"))
    assert page.status == 200
    text = await page.text()
    upcoming_part, past_part = text.split('id="past-heading"')
    assert upcoming_ref in upcoming_part
    assert "Annual review planning for Okafor-Bell family" in upcoming_part
    assert "Tue 10 Nov 2026, 09:00 to 10:00" in upcoming_part
    assert past_ref in past_part
    assert "Transition meeting" in past_part
    assert "Wed 01 Jul 2026, 10:00 to 11:00" in past_part, "BST in summer"
    assert (
        link(f"/tab/meetings/{upcoming_ref}", "Annual review planning for Okafor-Bell family")
        in upcoming_part
    )
    assert row("Status", "Scheduled</dd>") in upcoming_part
    assert row("Status", "Finished</dd>") in past_part
    assert row("Recording", "Not permitted: 3 replies awaited</dd>") in upcoming_part
    assert "1 email is waiting for a person to read it." in text
    assert 'href="/tab/review"' in text
    assert '<a href="/tab/meetings/new" class="govuk-button">Schedule a meeting</a>' in text
    assert [f.action for f in forms_in(text)] == ["/auth/sign-out"], "no dead buttons"


async def test_an_empty_store_says_so(
    signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    text = await (await signed_in.get(staff_site.url("/tab"))).text()
    assert "No upcoming meetings." in text
    assert "No past meetings." in text
    assert "No emails are waiting for a person to read them." in text


async def add_many_meetings(store: Store, clock: FakeClock) -> None:
    """MANY meetings an hour apart around now, two at each start time (ties on starts_at)."""
    rows = []
    for number in range(MANY):
        meeting_id = uuid.uuid4().hex
        starts_at = clock.now + timedelta(hours=number // 2 - MANY // 4, minutes=30)
        rows.append(
            {
                "id": meeting_id,
                "reference": f"IASS-{number:08d}",
                "title_enc": store.cipher.encrypt(
                    f"Meeting {number}", context=f"meetings.title:{meeting_id}"
                ),
                "starts_at": starts_at,
                "ends_at": starts_at + timedelta(minutes=45),
                "organiser_user_id": "6f1c2a4e-9d3b-4c8e-8a71-2b5e0f9c3d10",
                "declared_role": "support",
                "recording_requested": False,
                "status": "scheduled",
                "safeguarding_hold": False,
                "created_at": clock.now,
            }
        )
    async with store.unit_of_work() as uow:
        await uow.session.execute(insert(MeetingRow), rows)
        await uow.commit()


async def test_ten_thousand_meetings_page_by_page(store: Store, clock: FakeClock) -> None:
    await add_many_meetings(store, clock)
    for listing, expected_total in ((Listing.UPCOMING, MANY // 2), (Listing.PAST, MANY // 2)):
        seen: list[str] = []
        starts = []
        cursor: Cursor | None = None
        pages = 0
        while True:
            async with store.unit_of_work() as uow:
                page = await meeting_page(uow, listing, clock.now, cursor, limit=500)
            pages += 1
            seen.extend(m.reference for m in page.meetings)
            starts.extend(m.starts_at for m in page.meetings)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert pages == expected_total // 500
        assert len(seen) == len(set(seen)) == expected_total
        ordered = sorted(starts) if listing is Listing.UPCOMING else sorted(starts, reverse=True)
        assert starts == ordered
        assert all((s >= clock.now) is (listing is Listing.UPCOMING) for s in starts)


async def test_the_home_page_pages_through_ten_thousand_meetings(
    store: Store, clock: FakeClock, signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    await add_many_meetings(store, clock)
    first = await (await signed_in.get(staff_site.url("/tab"))).text()
    shown = re.findall(r">(IASS-\d{8})<", first)
    assert len(shown) == 2 * PAGE_SIZE
    soonest = shown[:PAGE_SIZE]
    later_link = re.search(r'href="(/tab\?upcoming=[^"]+)">Later meetings', first)
    assert later_link is not None
    assert "Earlier meetings" in first

    second = await signed_in.get(staff_site.url(later_link.group(1).replace("&amp;", "&")))
    assert second.status == 200
    second_text = await second.text()
    next_upcoming = re.findall(r">(IASS-\d{8})<", second_text)[:PAGE_SIZE]
    assert not set(next_upcoming) & set(soonest)
    assert next_upcoming[0] > soonest[-1]
    assert "Soonest meetings" in second_text
    assert re.findall(r">(IASS-\d{8})<", second_text)[PAGE_SIZE:] == shown[PAGE_SIZE:], (
        "the past list stays on its first page"
    )


async def test_a_damaged_page_link_shows_the_first_page(
    signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    for query in ("upcoming=nonsense", "past=2026-11-02~", "upcoming=2026-11-02T09:00~x'--"):
        answer = await signed_in.get(staff_site.url(f"/tab?{query}"))
        assert answer.status == 200
