"""The meeting's professionals to liaise with (issue 17): staff name the professionals or
organisations they would like to talk to or pass information to about the matter, one per
line, and see whether each is permitted now and, if not, why.

Saving a list with someone new on it emails the service users a consent request naming the
list. A list that cannot be kept (too long, a name too long or given twice) is shown again as
typed, with the reason, and nothing is saved.
"""

from __future__ import annotations

from aiohttp import web

from bot.services.liaison import (
    OrganisationStanding,
    liaison_standing,
    save_liaison_list,
)
from bot.services.meeting_request import LiaisonListRefused, parse_organisations
from bot.web.app_keys import SETTINGS_KEY, TENANT_ACCESS
from bot.web.error_pages import not_found
from bot.web.pages import page
from bot.web.session import STAFF_SESSION
from bot.web.site import STAFF_SITE
from bot.web.wording import NO_MEETING
from consent_store.liaison import LiaisonRecords
from consent_store.repository import MeetingNotFound
from consent_store.unit_of_work import Store
from domain.terms import AttendeeKind

FIELD = "organisations"
KIND_WORDS = {
    AttendeeKind.PARENT_CARER: "parent carer",
    AttendeeKind.YOUNG_PERSON: "young person",
    AttendeeKind.STAFF: "staff",
    AttendeeKind.PROFESSIONAL: "professional",
}
NOTICES = {
    "saved": "Saved. The parent carers and young people invited were emailed to ask for their"
    " permission.",
    "saved-unchanged": "Saved. No one new was named, so no one was emailed.",
    "not-asked": "The list was saved, but the email asking for permission could not be sent"
    " (the bot's log says why). Save the list again to try once more.",
}


async def _meeting(store: Store, reference: str) -> tuple[str, dict[str, str], str]:
    """The meeting's id, each attendee's words by id, and the list as typed one per line."""
    async with store.reading() as uow:
        meeting = await uow.meetings.by_reference(reference)
        names = {
            a.id: f"{uow.decrypt(a.name_enc, 'attendees', 'name', a.id) or 'someone'}"
            f" ({KIND_WORDS[AttendeeKind(a.kind)]})"
            for a in await uow.meetings.attendees(meeting.id)
        }
        listed = "\n".join(o.name for o in await LiaisonRecords(uow).organisations(meeting.id))
    return meeting.id, names, listed


def _render(
    request: web.Request,
    reference: str,
    typed: str,
    standings: list[OrganisationStanding],
    *,
    status: int = 200,
    problem: str | None = None,
) -> web.Response:
    return page(
        request,
        "liaison.html.j2",
        status=status,
        reference=reference,
        field=FIELD,
        typed=typed,
        standings=standings,
        problem=problem,
        notice=NOTICES.get(request.query.get("done", "")),
    )


async def liaison_form(request: web.Request) -> web.Response:
    site = request.config_dict[STAFF_SITE]
    reference = request.match_info["reference"]
    try:
        meeting_id, names, listed = await _meeting(site.store, reference)
    except MeetingNotFound:
        return not_found(request, NO_MEETING)
    standings = await liaison_standing(site.store, meeting_id, names.get)
    return _render(request, reference, listed, standings)


async def save_liaison(request: web.Request) -> web.Response:
    site = request.config_dict[STAFF_SITE]
    staff = request[STAFF_SESSION]
    reference = request.match_info["reference"]
    typed = (await request.post()).get(FIELD, "")
    if not isinstance(typed, str):
        raise web.HTTPBadRequest(text="Type the names, one on each line.")
    try:
        meeting_id, names, _ = await _meeting(site.store, reference)
    except MeetingNotFound:
        return not_found(request, NO_MEETING)
    try:
        wanted = parse_organisations(typed)
    except LiaisonListRefused as refusal:
        standings = await liaison_standing(site.store, meeting_id, names.get)
        return _render(request, reference, typed, standings, status=400, problem=str(refusal))
    clients = request.config_dict[TENANT_ACCESS].clients
    if clients is None:
        standings = await liaison_standing(site.store, meeting_id, names.get)
        return _render(
            request,
            reference,
            typed,
            standings,
            status=503,
            problem="The bot is not connected to Microsoft 365, so no one could be emailed:"
            " nothing was saved. Try again later.",
        )
    saved = await save_liaison_list(
        site.store,
        clients.mailbox,
        request.config_dict[SETTINGS_KEY].service,
        meeting_id,
        wanted,
        actor=staff.object_id,
        staff_name=staff.display_name,
    )
    done = "not-asked" if not saved.asked else "saved" if saved.added else "saved-unchanged"
    raise web.HTTPSeeOther(f"/tab/meetings/{reference}/liaison?done={done}")
