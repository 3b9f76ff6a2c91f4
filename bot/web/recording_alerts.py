"""Recordings and transcripts found in Microsoft 365 on the meeting page (the recording
backstop): one made without consent shows in red, with why, until a staff member records what
was done with it (POST `/tab/meetings/{reference}/recordings/{artefact}`, audited); permitted
ones are listed by time only. The bot never deletes a recording and cannot remove its
sharing (Graph's callRecording names no file), and the page says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web

from bot.policy.blockers import blocker_sentences
from bot.services.backstop_reasons import (
    artefact_kind_words,
    backstop_sentences,
    decode_reasons,
    made_when,
)
from bot.services.recording_backstop import resolve
from bot.web.error_pages import not_found
from bot.web.json_body import form_body
from bot.web.session import STAFF_SESSION
from bot.web.site import STAFF_SITE
from bot.web.wording import NO_MEETING, no_recording_waiting
from consent_store.recording_artefacts import RecordingArtefacts
from consent_store.repository import MeetingNotFound
from consent_store.unit_of_work import UnitOfWork

OUTCOME_LIMIT = 2000


@dataclass(frozen=True)
class ArtefactView:
    id: str
    kind: str
    made: str
    found_at: datetime
    permitted: bool
    reasons: tuple[str, ...]
    needs_staff: bool
    resolution: str | None
    resolved_at: datetime | None


async def artefact_views(
    uow: UnitOfWork, meeting_id: str, names: Mapping[str, str | None]
) -> tuple[ArtefactView, ...]:
    """The meeting's found recordings and transcripts, reasons naming attendees by name."""
    views = []
    for artefact in await RecordingArtefacts(uow).for_meeting(meeting_id):
        blockers, reasons = decode_reasons(artefact.reasons)
        views.append(
            ArtefactView(
                id=artefact.id,
                kind=artefact_kind_words(artefact.kind),
                made=made_when(artefact.created_at),
                found_at=artefact.found_at,
                permitted=artefact.permitted,
                reasons=(
                    *blocker_sentences(blockers, names.get),
                    *backstop_sentences(reasons),
                ),
                needs_staff=artefact.needs_staff,
                resolution=artefact.resolution,
                resolved_at=artefact.resolved_at,
            )
        )
    return tuple(views)


async def record_outcome(request: web.Request) -> web.Response:
    """What staff did with a recording made without consent."""
    reference = request.match_info["reference"]
    outcome = str((await form_body(request)).get("outcome", "")).strip()
    if not outcome or len(outcome) > OUTCOME_LIMIT:
        raise web.HTTPBadRequest(
            text=f"Say what was done with the recording, in at most {OUTCOME_LIMIT} characters."
        )
    site = request.config_dict[STAFF_SITE]
    async with site.store.reading() as uow:
        try:
            meeting = await uow.meetings.by_reference(reference)
        except MeetingNotFound:
            return not_found(request, NO_MEETING)
    staff = request[STAFF_SESSION].object_id
    if not await resolve(site.store, meeting.id, request.match_info["artefact"], staff, outcome):
        return not_found(request, no_recording_waiting(reference))
    raise web.HTTPSeeOther(f"/tab/meetings/{reference}#recordings-heading")
