"""The staff home (`/tab`): upcoming and past meetings a page at a time, each with its title
(linking to its page), time, where it is (scheduled, in progress, finished, cancelled) and
whether it may be recorded or what is missing; and how many emails wait in the review queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from aiohttp import web

from bot.policy.recording_gate import evaluate_recording
from bot.services.review_queue import open_count
from bot.web.meeting_list import Cursor, Listing, MeetingPage, MeetingSummary, meeting_page
from bot.web.meeting_status import (
    CANCELLED_RECORDING,
    IN_PROGRESS,
    NOT_ASKED,
    meeting_phase,
    recording_in_words,
)
from bot.web.pages import page
from bot.web.site import STAFF_SITE
from consent_store.overview import facts_without_presence
from consent_store.unit_of_work import UnitOfWork

HOME_PATH = "/tab"

STATUS_WORDS = {"scheduled": "Scheduled", "cancelled": "Cancelled"}


def status_in_words(status: str) -> str:
    return STATUS_WORDS.get(status, status.replace("_", " ").capitalize())


def _page_link(**cursors: str | None) -> str:
    query = {name: value for name, value in cursors.items() if value}
    return f"{HOME_PATH}?{urlencode(query)}" if query else HOME_PATH


@dataclass(frozen=True)
class ListedMeeting:
    """One meeting as the home lists it."""

    summary: MeetingSummary
    phase: str
    recording: str


async def _listed(uow: UnitOfWork, page_of: MeetingPage, now: datetime) -> list[ListedMeeting]:
    """The page's meetings in words. The recording gate's facts for the whole page are read
    together; a meeting in progress is read on its own, with who is in it now."""
    phases = {
        summary.id: meeting_phase(
            summary.status, summary.starts_at, summary.ends_at, summary.started_at, now
        )
        for summary in page_of.meetings
    }
    asked = [s.id for s in page_of.meetings if s.recording_requested and s.status != "cancelled"]
    facts = await facts_without_presence(uow.session, asked, now)
    for meeting_id in asked:
        if phases[meeting_id] == IN_PROGRESS:
            facts[meeting_id] = await uow.meetings.facts(meeting_id)
    listed = []
    for summary in page_of.meetings:
        if not summary.recording_requested:
            recording = NOT_ASKED
        elif summary.status == "cancelled":
            recording = CANCELLED_RECORDING
        else:
            recording = recording_in_words(evaluate_recording(facts[summary.id]))
        listed.append(ListedMeeting(summary, phases[summary.id], recording))
    return listed


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
        upcoming_listed = await _listed(uow, upcoming, now)
        past_listed = await _listed(uow, past, now)
    next_upcoming, next_past = _encoded(upcoming), _encoded(past)
    return page(
        request,
        "home.html.j2",
        upcoming=upcoming_listed,
        past=past_listed,
        waiting=waiting,
        status_in_words=status_in_words,
        later_link=_page_link(upcoming=next_upcoming, past=past_from) if next_upcoming else None,
        earlier_link=_page_link(upcoming=upcoming_from, past=next_past) if next_past else None,
        upcoming_restart=_page_link(past=past_from) if upcoming_from else None,
        past_restart=_page_link(upcoming=upcoming_from) if past_from else None,
    )
