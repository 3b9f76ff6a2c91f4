"""The staff home's meeting lists, a page at a time: upcoming meetings (soonest first) and
meetings that have started (latest first), read with keyset pagination
(`consent_store.staff_pages`), so a page costs the same however many meetings there are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from consent_store.unit_of_work import UnitOfWork

PAGE_SIZE = 20
_CURSOR_SEPARATOR = "~"


class Listing(StrEnum):
    UPCOMING = "upcoming"
    PAST = "past"


@dataclass(frozen=True)
class Cursor:
    """The last meeting shown: the next page starts after it."""

    starts_at: datetime
    id: str

    def encode(self) -> str:
        return f"{self.starts_at.isoformat()}{_CURSOR_SEPARATOR}{self.id}"

    @classmethod
    def decode(cls, text: str | None) -> Cursor | None:
        """The cursor written by `encode`, or None for anything else (the first page)."""
        if not text or _CURSOR_SEPARATOR not in text:
            return None
        moment, meeting_id = text.split(_CURSOR_SEPARATOR, 1)
        try:
            starts_at = datetime.fromisoformat(moment)
        except ValueError:
            return None
        if starts_at.tzinfo is None or not meeting_id.isalnum():
            return None
        return cls(starts_at, meeting_id)


@dataclass(frozen=True)
class MeetingSummary:
    id: str
    reference: str
    title: str | None
    starts_at: datetime
    ends_at: datetime
    status: str
    disposed: bool
    started_at: datetime | None
    recording_requested: bool


@dataclass(frozen=True)
class MeetingPage:
    meetings: tuple[MeetingSummary, ...]
    next_cursor: Cursor | None


async def meeting_page(
    uow: UnitOfWork,
    listing: Listing,
    now: datetime,
    after: Cursor | None = None,
    limit: int = PAGE_SIZE,
) -> MeetingPage:
    """One page of `listing` as it stands at `now`, after `after` (None: the first page)."""
    rows = await uow.staff_pages.meetings(
        listing is Listing.UPCOMING,
        now,
        None if after is None else (after.starts_at, after.id),
        limit + 1,
    )
    shown = rows[:limit]
    more = len(rows) > limit
    return MeetingPage(
        meetings=tuple(
            MeetingSummary(
                id=row.id,
                reference=row.reference,
                title=uow.decrypt(row.title_enc, "meetings", "title", row.id),
                starts_at=row.starts_at,
                ends_at=row.ends_at,
                status=row.status,
                disposed=row.disposed_at is not None,
                started_at=row.started_at,
                recording_requested=row.recording_requested,
            )
            for row in shown
        ),
        next_cursor=Cursor(shown[-1].starts_at, shown[-1].id) if more else None,
    )
