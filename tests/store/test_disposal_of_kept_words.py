"""Disposal removes the words kept for subject access (issue 19): each consent request's text
as sent, and the condition staff wrote down with an agreement."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from consent_store.records import NewConsentRequest, NewDecision
from consent_store.retention import dispose, plan_disposal
from consent_store.tables import ConsentDecisionRow, ConsentRequestRow
from consent_store.unit_of_work import Store
from domain.terms import AuthVerdict, Decision, Topic
from tests.builders import MEETING_START, schedule
from tests.conftest import FakeClock

RETENTION = timedelta(days=365)


async def test_request_text_and_conditions_go_with_the_meeting(
    store: Store, clock: FakeClock
) -> None:
    meeting, (parent, _, _) = await schedule(store)
    async with store.unit_of_work() as uow:
        await uow.meetings.add_request(
            NewConsentRequest(
                meeting_id=meeting,
                attendee_id=parent,
                message_id="<request@iass.example.com>",
                template_version="consent-request/4/adult",
                text_sha256="0" * 64,
                topics=(Topic.RECORDING,),
                documents_covered=(),
                sent_at=MEETING_START - timedelta(days=3),
                text="Dear Alex, may we record the meeting?",
            )
        )
        await uow.meetings.add_decision(
            NewDecision(
                meeting_id=meeting,
                attendee_id=parent,
                topic=Topic.RECORDING,
                decision=Decision.GIVEN,
                received_at=MEETING_START - timedelta(days=2),
                auth=AuthVerdict.PASS,
                sender_matches=True,
                decided_by="staff:someone",
                condition="Deleted after the annual review",
            ),
            uow.now(),
        )
        await uow.commit()
    async with store.reading() as uow:
        (request,) = await uow.session.scalars(select(ConsentRequestRow))
        (decision,) = await uow.session.scalars(select(ConsentDecisionRow))
        assert uow.decrypt(request.text_enc, "consent_requests", "text", request.id) == (
            "Dear Alex, may we record the meeting?"
        )
        assert decision.condition_enc is not None

    clock.now = MEETING_START + RETENTION * 2
    async with store.unit_of_work() as uow:
        await dispose(uow, await plan_disposal(uow, RETENTION), "test")
        await uow.commit()
    async with store.reading() as uow:
        (request,) = await uow.session.scalars(select(ConsentRequestRow))
        (decision,) = await uow.session.scalars(select(ConsentDecisionRow))
    assert request.text_enc is None
    assert decision.condition_enc is None
    assert (request.template_version, request.text_sha256) == ("consent-request/4/adult", "0" * 64)
