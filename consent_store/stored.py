"""The stored records the repositories hand out, for the layers above to read by their
attributes. Only `consent_store` writes them or builds queries over them."""

from __future__ import annotations

from consent_store.tables import (
    AttendeeRow,
    AuditEntryRow,
    ConsentDecisionRow,
    ConsentRequestRow,
    DocumentRow,
    MeetingRow,
    ReviewItemRow,
    SharedFileRow,
)

__all__ = [
    "AttendeeRow",
    "AuditEntryRow",
    "ConsentDecisionRow",
    "ConsentRequestRow",
    "DocumentRow",
    "MeetingRow",
    "ReviewItemRow",
    "SharedFileRow",
]
