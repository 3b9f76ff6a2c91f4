"""A conditional agreement in the review queue, through the staff pages: the form asks for the
condition, refuses "given" without it, and the meeting page shows it once confirmed."""

from __future__ import annotations

import html

import aiohttp

from consent_store.unit_of_work import Store
from tests.builders import schedule
from tests.web.review_items import queue_item
from tests.web.staff_site import CSRF_TOKEN, StaffServer

CONDITIONAL = "Yes as long as the recording is only kept until the annual review is finished"
CONDITION = "Kept only until the <annual review> is finished"


async def test_a_conditional_agreement_is_confirmed_only_with_its_condition(
    store: Store, signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    meeting, (parent, _, _) = await schedule(store)
    item = await queue_item(store, meeting, parent, text=CONDITIONAL)
    async with store.reading() as uow:
        reference = (await uow.meetings.get(meeting)).reference

    queue = await (await signed_in.get(staff_site.url("/tab/review"))).text()
    assert "They agreed only on a condition: record their answer as refused" in queue
    assert 'name="condition"' in queue

    form = {"csrf_token": CSRF_TOKEN, "attendee_id": parent, "recording": "given"}
    refused = await signed_in.post(staff_site.url(f"/tab/review/{item}/confirm"), data=form)
    assert refused.status == 400
    assert "They agreed only on a condition." in await refused.text()

    confirmed = await signed_in.post(
        staff_site.url(f"/tab/review/{item}/confirm"),
        data={**form, "condition": f"  {CONDITION}\n"},
        allow_redirects=False,
    )
    assert confirmed.status == 303

    page = await (await signed_in.get(staff_site.url(f"/tab/meetings/{reference}"))).text()
    assert "Agreed on a condition, written down by staff" in page
    assert html.escape(CONDITION, quote=False) in page
    assert CONDITION not in page
