"""Placing or lifting a meeting's safeguarding hold (POST from the meeting page).

The confidentiality policy's one exception to confidentiality is safeguarding; a held
meeting's records are kept when the retention period ends. Each change is audited with the
staff member who made it.
"""

from __future__ import annotations

from aiohttp import web

from bot.web.error_pages import not_found
from bot.web.session import STAFF_SESSION
from bot.web.site import STAFF_SITE
from bot.web.wording import NO_MEETING
from consent_store.audit import AuditEvent
from consent_store.repository import MeetingNotFound


async def set_safeguarding_hold(request: web.Request) -> web.Response:
    reference = request.match_info["reference"]
    wanted = (await request.post()).get("hold")
    if wanted not in ("on", "off"):
        raise web.HTTPBadRequest(text="Choose to place or lift the hold.")
    held = wanted == "on"
    async with request.config_dict[STAFF_SITE].store.unit_of_work() as uow:
        try:
            meeting = await uow.meetings.by_reference(reference)
        except MeetingNotFound:
            return not_found(request, NO_MEETING)
        if meeting.safeguarding_hold != held:
            await uow.meetings.set_safeguarding_hold(meeting.id, held)
            await uow.audit(
                AuditEvent(
                    "meeting.safeguarding_hold_placed"
                    if held
                    else "meeting.safeguarding_hold_lifted",
                    actor=request[STAFF_SESSION].object_id,
                    meeting_id=meeting.id,
                )
            )
            await uow.commit()
    raise web.HTTPSeeOther(f"/tab/meetings/{reference}")
