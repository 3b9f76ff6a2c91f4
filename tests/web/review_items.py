"""Putting emails in the review queue for the staff-page tests, as intake would."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from bot.policy.terms import AuthVerdict
from consent_store.records import NewReviewItem
from consent_store.unit_of_work import Store
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
) -> str:
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
