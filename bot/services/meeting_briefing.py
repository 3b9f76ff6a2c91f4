"""What staff ask the bot about a meeting, answered from the store through the policy core:
may it be recorded (and is Teams set to allow it), which role will be stated, and which of the
listed documents may be shared, each "no" with its reasons; and with how many of the
professionals named staff may liaise (a count only, never who or why).

Names and document titles are decrypted only when the answer is for one staff member alone
(`personal=True`); an answer for a meeting's chat is built from ids and codes only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.policy.liaison_gate import LiaisonCount, count_liaison
from bot.policy.recording_gate import RecordingVerdict, evaluate_recording
from bot.policy.role_statement import RoleStatement, decide_role
from bot.policy.share_gate import ShareVerdict, evaluate_share
from consent_store.liaison import LiaisonRecords
from consent_store.repository import MeetingNotFound
from consent_store.stored import MeetingRow
from consent_store.unit_of_work import Store, UnitOfWork

UPCOMING_LIMIT = 10


@dataclass(frozen=True)
class DocumentBriefing:
    document_id: str
    title: str | None
    verdict: ShareVerdict


@dataclass(frozen=True)
class MeetingBriefing:
    """One meeting's gates. `title`, document titles and `names` (attendee id to name) are
    empty unless the briefing was made for one staff member alone."""

    reference: str
    starts_at: datetime
    cancelled: bool
    teams_recording_allowed: bool | None
    recording: RecordingVerdict
    role: RoleStatement
    documents: tuple[DocumentBriefing, ...]
    liaison: LiaisonCount
    title: str | None = None
    names: Mapping[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class UpcomingMeeting:
    reference: str
    title: str | None
    starts_at: datetime


async def _briefing(uow: UnitOfWork, meeting: MeetingRow, personal: bool) -> MeetingBriefing:
    facts = await uow.meetings.facts(meeting.id)
    documents = await uow.meetings.documents(meeting.id)
    names: dict[str, str | None] = {}
    if personal:
        for attendee in await uow.meetings.attendees(meeting.id):
            names[attendee.id] = uow.decrypt(attendee.name_enc, "attendees", "name", attendee.id)
    liaison = count_liaison(await LiaisonRecords(uow).facts(meeting.id), uow.now())
    return MeetingBriefing(
        liaison=liaison,
        reference=meeting.reference,
        starts_at=meeting.starts_at,
        cancelled=facts.cancelled,
        teams_recording_allowed=meeting.teams_recording_allowed,
        recording=evaluate_recording(facts),
        role=decide_role(facts),
        documents=tuple(
            DocumentBriefing(
                document_id=row.id,
                title=(
                    uow.decrypt(row.title_enc, "documents", "title", row.id) if personal else None
                ),
                verdict=evaluate_share(facts, row.id),
            )
            for row in documents
        ),
        title=uow.decrypt(meeting.title_enc, "meetings", "title", meeting.id) if personal else None,
        names=names,
    )


async def briefing_for_chat(store: Store, thread_id: str) -> MeetingBriefing | None:
    """The briefing for the meeting whose Teams chat this is (ids and codes only), or None
    for a chat of no meeting we arranged."""
    async with store.reading() as uow:
        meeting = await uow.meetings.by_chat_thread(thread_id)
        if meeting is None or meeting.disposed_at is not None:
            return None
        return await _briefing(uow, meeting, personal=False)


async def briefing_for_organiser(
    store: Store, reference: str, organiser_object_id: str
) -> MeetingBriefing | None:
    """The full briefing (names and titles) of the meeting with this reference, for the staff
    member who arranged it; None if it is not theirs, is unknown or has been disposed of."""
    async with store.reading() as uow:
        try:
            meeting = await uow.meetings.by_reference(reference)
        except MeetingNotFound:
            return None
        if (
            meeting.organiser_user_id.lower() != organiser_object_id.lower()
            or meeting.disposed_at is not None
        ):
            return None
        return await _briefing(uow, meeting, personal=True)


async def upcoming_meetings(store: Store, organiser_object_id: str) -> tuple[UpcomingMeeting, ...]:
    """The staff member's meetings that have not yet ended, soonest first (at most ten)."""
    async with store.reading() as uow:
        rows = await uow.meetings.upcoming_for(organiser_object_id, uow.now(), UPCOMING_LIMIT)
        return tuple(
            UpcomingMeeting(
                reference=row.reference,
                title=uow.decrypt(row.title_enc, "meetings", "title", row.id),
                starts_at=row.starts_at,
            )
            for row in rows
        )
