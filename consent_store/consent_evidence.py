"""The consent evidence: the consent requests sent to attendees, the decisions recorded
(with their sender, authentication verdict and deciding phrase, sealed) and the emails put to
staff for review; which meeting a request's Message-ID belongs to, and what each attendee was
last asked.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from consent_store.records import NewConsentRequest, NewDecision, NewReviewItem
from consent_store.repository import RepositoryPart, new_id
from consent_store.tables import ConsentDecisionRow, ConsentRequestRow, ReviewItemRow


class ConsentEvidence(RepositoryPart):
    """Consent requests, decisions and review items."""

    async def add_request(self, request: NewConsentRequest) -> str:
        request_id = new_id()
        self._session.add(
            ConsentRequestRow(
                id=request_id,
                meeting_id=request.meeting_id,
                attendee_id=request.attendee_id,
                message_id=request.message_id,
                template_version=request.template_version,
                text_sha256=request.text_sha256,
                topics=[topic.value for topic in request.topics],
                documents_covered=list(request.documents_covered),
                sent_at=request.sent_at,
                text_enc=self._seal(request.text, "consent_requests", "text", request_id),
            )
        )
        return request_id

    async def add_decision(self, decision: NewDecision, now: datetime) -> str:
        decision_id = new_id()
        table = "consent_decisions"
        self._session.add(
            ConsentDecisionRow(
                id=decision_id,
                meeting_id=decision.meeting_id,
                attendee_id=decision.attendee_id,
                topic=decision.topic.value,
                decision=decision.decision.value,
                received_at=decision.received_at,
                message_id=decision.message_id,
                sender_enc=self._seal(decision.sender, table, "sender", decision_id),
                sender_index=(
                    self._blind_index.of_email(decision.sender) if decision.sender else None
                ),
                auth_verdict=decision.auth.value,
                sender_matches=decision.sender_matches,
                phrase_enc=self._seal(decision.phrase, table, "phrase", decision_id),
                email_sha256=decision.email_sha256,
                request_id=decision.request_id,
                documents_covered=list(decision.documents_covered),
                decided_by=decision.decided_by,
                recorded_at=now,
                condition_enc=self._seal(decision.condition, table, "condition", decision_id),
                review_item_id=decision.review_item_id,
            )
        )
        return decision_id

    async def add_review_item(self, item: NewReviewItem) -> str:
        item_id = new_id()
        self._session.add(
            ReviewItemRow(
                id=item_id,
                meeting_id=item.meeting_id,
                message_id=item.message_id,
                sender_enc=self._seal(item.sender, "review_items", "sender", item_id),
                sender_index=self._blind_index.of_email(item.sender) if item.sender else None,
                received_at=item.received_at,
                reason=item.reason,
                text_enc=self._seal(item.text, "review_items", "text", item_id),
                status="open",
                attendee_id=item.attendee_id,
                auth_verdict=item.auth.value,
            )
        )
        return item_id

    async def meetings_by_message(self, message_ids: set[str]) -> dict[str, str]:
        """Consent requests' Message-IDs among `message_ids`, each with its meeting's id."""
        if not message_ids:
            return {}
        rows = await self._session.execute(
            select(ConsentRequestRow.message_id, ConsentRequestRow.meeting_id).where(
                ConsentRequestRow.message_id.in_(message_ids)
            )
        )
        return {message_id: meeting_id for message_id, meeting_id in rows}

    async def latest_requests(self, meeting_id: str) -> dict[str, ConsentRequestRow]:
        """The newest consent request to each attendee of the meeting, by attendee id."""
        latest: dict[str, ConsentRequestRow] = {}
        for row in await self._session.scalars(
            select(ConsentRequestRow)
            .where(ConsentRequestRow.meeting_id == meeting_id)
            .order_by(ConsentRequestRow.sent_at)
        ):
            latest[row.attendee_id] = row
        return latest

    def email_index(self, email: str) -> str:
        return self._blind_index.of_email(email)

    async def latest_request(self, attendee_id: str) -> ConsentRequestRow | None:
        """The newest consent request sent to this attendee: what they were last asked."""
        return await self._session.scalar(
            select(ConsentRequestRow)
            .where(ConsentRequestRow.attendee_id == attendee_id)
            .order_by(ConsentRequestRow.sent_at.desc())
            .limit(1)
        )
