"""The store's tables as SQLAlchemy models.

Columns ending in `_enc` hold AES-GCM ciphertext of personal data (see `crypto`); `_index`
columns hold keyed blind-index hashes. Everything else is pseudonymous: random ids, times,
enumerations. Disposal clears the `_enc` and `_index` columns and leaves the rest.

The tables are grouped by concept in the submodules; importing this package imports them
all, so `Base.metadata` always holds every table (Alembic's env and `consent_store.rekey`
rely on that), and the rows are imported from here.
"""

from consent_store.tables.audit import AuditEntryRow
from consent_store.tables.base import Base, UtcDateTime
from consent_store.tables.consent_evidence import (
    ConsentDecisionRow,
    ConsentRequestRow,
    ReviewItemRow,
)
from consent_store.tables.in_meeting import CallNotificationRow, CallRow, PresenceRow, SharedFileRow
from consent_store.tables.inboxes import (
    CallNoticeLeaseRow,
    CallNoticeRow,
    MeetingActivityRow,
    MeetingChatLeaseRow,
    SeenActivityRow,
)
from consent_store.tables.jobs import JobRow
from consent_store.tables.legal_requests import LegalRequestMeetingRow, LegalRequestRow
from consent_store.tables.liaison import LiaisonOrganisationRow, LiaisonRequestOrganisationRow
from consent_store.tables.mailbox import InboundEmailRow, MailboxCursorRow
from consent_store.tables.meetings import AttendeeRow, DocumentRow, MeetingRow
from consent_store.tables.recordings import GraphSubscriptionRow, RecordingArtefactRow
from consent_store.tables.staff_sessions import StaffSessionRow

__all__ = [
    "AttendeeRow",
    "AuditEntryRow",
    "Base",
    "CallNoticeLeaseRow",
    "CallNoticeRow",
    "CallNotificationRow",
    "CallRow",
    "ConsentDecisionRow",
    "ConsentRequestRow",
    "DocumentRow",
    "GraphSubscriptionRow",
    "InboundEmailRow",
    "JobRow",
    "LegalRequestMeetingRow",
    "LegalRequestRow",
    "LiaisonOrganisationRow",
    "LiaisonRequestOrganisationRow",
    "MailboxCursorRow",
    "MeetingActivityRow",
    "MeetingChatLeaseRow",
    "MeetingRow",
    "PresenceRow",
    "RecordingArtefactRow",
    "ReviewItemRow",
    "SeenActivityRow",
    "SharedFileRow",
    "StaffSessionRow",
    "UtcDateTime",
]
