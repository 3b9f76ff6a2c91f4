"""The meeting repository (`uow.meetings`), assembled from its parts by concept: the meetings
with their attendees and documents (`meetings`), the consent evidence (`consent_evidence`), the
receipts due (`receipts`) and Teams' recording setting as noted (`recording_watch`).
"""

from __future__ import annotations

from consent_store.consent_evidence import ConsentEvidence
from consent_store.meetings import MeetingRecords
from consent_store.receipts import Receipts
from consent_store.recording_watch import RecordingWatch


class MeetingRepository(MeetingRecords, ConsentEvidence, Receipts, RecordingWatch):
    """Meetings, attendees, documents, consent requests, decisions and review items."""
