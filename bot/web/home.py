"""The staff home (`/tab`): upcoming and past meetings a page at a time, and how many emails
wait in the review queue."""

from __future__ import annotations

from urllib.parse import urlencode

from aiohttp import web

from bot.services.review_queue import open_count
from bot.web.meeting_list import Cursor, Listing, MeetingPage, meeting_page
from bot.web.pages import page
from bot.web.site import STAFF_SITE

HOME_PATH = "/tab"

STATUS_WORDS = {"scheduled": "Scheduled", "cancelled": "Cancelled"}


def status_in_words(status: str) -> str:
    return STATUS_WORDS.get(status, status.replace("_", " ").capitalize())


def _page_link(**cursors: str | None) -> str:
    query = {name: value for name, value in cursors.items() if value}
    return f"{HOME_PATH}?{urlencode(query)}" if query else HOME_PATH


def _encoded(page_of: MeetingPage) -> str | None:
    return page_of.next_cursor.encode() if page_of.next_cursor is not None else None


async def home(request: web.Request) -> web.Response:
    upcoming_from = request.query.get(Listing.UPCOMING.value)
    past_from = request.query.get(Listing.PAST.value)
    async with request.config_dict[STAFF_SITE].store.unit_of_work() as uow:
        now = uow.now()
        upcoming = await meeting_page(uow, Listing.UPCOMING, now, Cursor.decode(upcoming_from))
        past = await meeting_page(uow, Listing.PAST, now, Cursor.decode(past_from))
        waiting = await open_count(uow)
    next_upcoming, next_past = _encoded(upcoming), _encoded(past)
    return page(
        request,
        "home.html.j2",
        upcoming=upcoming,
        past=past,
        waiting=waiting,
        status_in_words=status_in_words,
        later_link=_page_link(upcoming=next_upcoming, past=past_from) if next_upcoming else None,
        earlier_link=_page_link(upcoming=upcoming_from, past=next_past) if next_past else None,
        upcoming_restart=_page_link(past=past_from) if upcoming_from else None,
        past_restart=_page_link(upcoming=upcoming_from) if past_from else None,
    )
