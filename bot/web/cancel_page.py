"""Cancelling a meeting (`POST /tab/meetings/{reference}/cancel`), in two steps.

The meeting page's "Cancel this meeting" button posts without confirmation and is answered
with a page saying what cancelling does; its own form posts again with `confirm=yes`, and
`meeting_cancellation.cancel_meeting` deletes the Teams meeting, marks the meeting cancelled and
emails each attendee. The browser then goes back to the meeting's page."""

from __future__ import annotations

from aiohttp import web

from bot.services.change_plan import MeetingNotChangeable, ensure_changeable
from bot.services.meeting_cancellation import cancel_meeting
from bot.services.meeting_changes import MeetingChangeFailed
from bot.web.app_keys import SETTINGS_KEY, TENANT_ACCESS
from bot.web.error_pages import not_changeable, not_found
from bot.web.pages import message_page, page
from bot.web.session import STAFF_SESSION
from bot.web.site import STAFF_SITE
from bot.web.wording import NO_MEETING, back_to_meeting
from consent_store.repository import MeetingNotFound

CONFIRM_FIELD = "confirm"
NOT_CONNECTED = (
    "Cancelling is not available: the bot is not connected to Microsoft 365 at the moment, so "
    "Teams cannot remove the meeting. Nothing was changed."
)


async def cancel(request: web.Request) -> web.Response:
    staff = request[STAFF_SESSION]
    site = request.config_dict[STAFF_SITE]
    reference = request.match_info["reference"]
    confirmed = (await request.post()).get(CONFIRM_FIELD) == "yes"
    async with site.store.reading() as uow:
        try:
            meeting = await uow.meetings.by_reference(reference)
        except MeetingNotFound:
            return not_found(request, NO_MEETING)
        invited = len(await uow.meetings.attendees(meeting.id))
    try:
        ensure_changeable(meeting.status, meeting.starts_at, site.clock(), meeting.started_at)
    except MeetingNotChangeable as refusal:
        return not_changeable(request, meeting.reference, str(refusal))
    if not confirmed:
        return page(
            request, "cancel.html.j2", meeting=meeting, invited=invited, field=CONFIRM_FIELD
        )
    clients = request.config_dict[TENANT_ACCESS].clients
    if clients is None:
        return message_page(
            request,
            status=503,
            title="The meeting was not cancelled",
            paragraphs=(NOT_CONNECTED,),
            link=back_to_meeting(meeting.reference),
        )
    try:
        await cancel_meeting(
            site.store,
            clients.meetings,
            clients.mailbox,
            request.config_dict[SETTINGS_KEY].service,
            meeting.id,
            actor=staff.object_id,
        )
    except MeetingNotChangeable as refusal:
        return not_changeable(request, meeting.reference, str(refusal))
    except MeetingChangeFailed as failure:
        return message_page(
            request,
            status=502,
            title="The meeting was not cancelled",
            paragraphs=(str(failure),),
            link=back_to_meeting(meeting.reference),
        )
    raise web.HTTPSeeOther(f"/tab/meetings/{meeting.reference}?done=cancelled")
