"""Putting emails in the review queue for the staff-page tests, as intake would."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from consent_store.records import NewConsentRequest, NewReviewItem
from consent_store.unit_of_work import Store
from domain.terms import AuthVerdict, Topic
from tests.builders import MEETING_START, PARENT

THEIR_WORDS = "Recording is fine I think, but can we talk about the documents first?"


async def queue_item(
    store: Store,
    meeting_id: str | None = None,
    attendee_id: str | None = None,
    *,
    sender: str | None = PARENT.email,
    text: str | None = THEIR_WORDS,
    auth: AuthVerdict = AuthVerdict.PASS,
    reason: str = "not_clearly_understood",
    received_at: datetime = MEETING_START - timedelta(days=2),
    asked_about: tuple[Topic, ...] = tuple(Topic),
) -> str:
    """An open item; the meeting's attendees are first recorded as asked about `asked_about`
    (as the consent requests would have asked them)."""
    if meeting_id is not None and asked_about:
        async with store.reading() as uow:
            attendees = [a.id for a in await uow.meetings.attendees(meeting_id)]
        for attendee in attendees:
            await asked(store, meeting_id, attendee, *asked_about)
    async with store.unit_of_work() as uow:
        item_id = await uow.meetings.add_review_item(
            NewReviewItem(
                received_at=received_at,
                reason=reason,
                meeting_id=meeting_id,
                attendee_id=attendee_id,
                message_id=f"<{uuid.uuid4().hex}@mail.example.org>",
                sender=sender,
                text=text,
                auth=auth,
            )
        )
        await uow.commit()
    return item_id


async def asked(store: Store, meeting_id: str, attendee_id: str, *topics: Topic) -> None:
    """Record that a consent request asked this attendee about `topics` (all by default)."""
    async with store.unit_of_work() as uow:
        await uow.meetings.add_request(
            NewConsentRequest(
                meeting_id=meeting_id,
                attendee_id=attendee_id,
                message_id=f"<{uuid.uuid4().hex}@iass.example.com>",
                template_version="test",
                text_sha256="0" * 64,
                topics=topics or tuple(Topic),
                documents_covered=(),
                sent_at=uow.now(),
            )
        )
        await uow.commit()
