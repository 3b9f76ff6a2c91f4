"""The store and its unit of work: one transaction, its repositories, and the audit log.

    async with store.unit_of_work() as uow:
        meeting = await uow.meetings.add(new_meeting, uow.now())
        await uow.audit(AuditEvent("meeting.scheduled", actor=..., meeting_id=meeting.id))
        await uow.commit()

Leaving the block without `commit()` rolls everything back, audit entries included; rows
already loaded stay readable after the block. On SQLite, which has a single writer, units of
work in one process queue for it in turn rather than waiting in SQLite's sleeping busy
handler, the most urgent work first (`consent_store.writer`); `store.reading()` gives a unit of
work that only reads and never queues.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from consent_store import audit
from consent_store.call_notices import CallNotices
from consent_store.calls import MeetingCallRecords
from consent_store.crypto import BlindIndex, FieldCipher
from consent_store.engine import READ_ONLY, create_engine, writes_at_once
from consent_store.inbound import InboundEmails
from consent_store.jobs import Jobs
from consent_store.keys import KeyRing
from consent_store.meeting_activities import MeetingActivities
from consent_store.meeting_repository import MeetingRepository
from consent_store.presence import MeetingPresence
from consent_store.review_items import ReviewItems
from consent_store.seen_activities import SeenActivities
from consent_store.staff_pages import StaffPages
from consent_store.writer import WriterQueue
from domain.urgency import urgency

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def seal_context(table: str, column: str, row_id: str) -> str:
    """What a sealed value is bound to: its table, column and row, so it cannot be moved."""
    return f"{table}.{column}:{row_id}"


class Store:
    """A connection to the consent store with the keys to read and write it."""

    def __init__(self, engine: AsyncEngine, key_ring: KeyRing, clock: Clock = utc_now) -> None:
        self.engine = engine
        self.sessions = async_sessionmaker(engine, expire_on_commit=False)
        self.cipher = FieldCipher(key_ring)
        self.blind_index = BlindIndex(key_ring.blind_index_key)
        self.audit_key = key_ring.audit_key
        self.clock = clock
        self.sqlite_writer = WriterQueue() if engine.dialect.name == "sqlite" else None
        self.writes_at_once = writes_at_once(engine)
        """How many of a group commit's writes to have under way at a time."""

    @classmethod
    def open(cls, url: str, key_ring: KeyRing, clock: Clock = utc_now) -> Store:
        return cls(create_engine(url), key_ring, clock)

    def seal(self, value: str, table: str, column: str, row_id: str) -> bytes:
        """Encrypt a personal value for `table.column` of row `row_id`, bound to that place."""
        return self.cipher.encrypt(value, context=seal_context(table, column, row_id))

    def unseal(self, blob: bytes, table: str, column: str, row_id: str) -> str:
        """Decrypt what `seal` sealed for `table.column` of row `row_id` (no transaction needed:
        a value read earlier is opened only when it is used)."""
        return self.cipher.decrypt(blob, context=seal_context(table, column, row_id))

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self)

    def reading(self) -> UnitOfWork:
        """A unit of work that only reads: it never waits for the writer and cannot commit."""
        return UnitOfWork(self, read_only=True)

    async def close(self) -> None:
        await self.engine.dispose()


class UnitOfWork:
    """One transaction against the store."""

    session: AsyncSession
    meetings: MeetingRepository
    inbound: InboundEmails
    presence: MeetingPresence
    jobs: Jobs
    calls: MeetingCallRecords
    call_notices: CallNotices
    activities: MeetingActivities
    seen_activities: SeenActivities
    review_items: ReviewItems
    staff_pages: StaffPages

    def __init__(self, store: Store, *, read_only: bool = False) -> None:
        self.store = store
        self.read_only = read_only
        self._holds_writer = False

    def now(self) -> datetime:
        return self.store.clock()

    async def __aenter__(self) -> Self:
        if self.store.sqlite_writer is not None and not self.read_only:
            await self.store.sqlite_writer.acquire(urgency())
            self._holds_writer = True
        self.session = self.store.sessions()
        if self.read_only:
            await self.session.connection(execution_options={READ_ONLY: True})
        self._audit_events: list[tuple[audit.AuditEvent, datetime]] = []
        self.meetings = MeetingRepository(self.session, self.seal, self.store.blind_index, self.now)
        self.inbound = InboundEmails(self.session)
        self.presence = MeetingPresence(self.session, self.store.blind_index)
        self.jobs = Jobs(self.session)
        self.calls = MeetingCallRecords(self.session)
        self.call_notices = CallNotices(self.session)
        self.activities = MeetingActivities(self.session)
        self.seen_activities = SeenActivities(self.session)
        self.review_items = ReviewItems(self.session)
        self.staff_pages = StaffPages(self.session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            await self.session.close()
        finally:
            if self._holds_writer and self.store.sqlite_writer is not None:
                self.store.sqlite_writer.release()
                self._holds_writer = False

    async def audit(self, event: audit.AuditEvent) -> None:
        """Note an audit entry, stamped now; it is chained and lands only when the work commits."""
        self._audit_events.append((event, self.now()))

    async def commit(self) -> None:
        if self.read_only:
            raise RuntimeError("a reading unit of work cannot commit")
        await audit.append_all(self.session, self.store.audit_key, self._audit_events)
        self._audit_events = []
        await self.session.commit()

    def seal(self, value: str | None, table: str, column: str, row_id: str) -> bytes | None:
        """Encrypt a personal value for `table.column` of row `row_id` (None stays None)."""
        if value is None:
            return None
        return self.store.seal(value, table, column, row_id)

    def decrypt(self, blob: bytes | None, table: str, column: str, row_id: str) -> str | None:
        if blob is None:
            return None
        return self.store.unseal(blob, table, column, row_id)
