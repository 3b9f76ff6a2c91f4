"""The claim to send a legal request's extract (issue 17): one sender at a time holds it, an
answer cannot move the request while the extract is being sent, and a claim whose sender died
runs out so another can send it."""

from __future__ import annotations

from datetime import timedelta

from consent_store.legal_request_records import NewAnswer, NewLegalRequest
from consent_store.legal_requests import LegalRequests
from consent_store.unit_of_work import Store
from tests.builders import schedule
from tests.conftest import FakeClock

CLAIM = timedelta(minutes=5)


async def test_one_claim_at_a_time_and_no_answer_moves_a_send_under_way(
    store: Store, clock: FakeClock
) -> None:
    meeting, (parent, _, _) = await schedule(store)
    async with store.unit_of_work() as uow:
        records = LegalRequests(uow)
        reference = await records.add(
            NewLegalRequest(
                "Sam Lee", "sam@council.example.gov.uk", "Review", parent, (meeting,), "s"
            )
        )
        request_id = (await records.get(reference)).id
        await records.decide(reference, "permission_asked", "manager", message_id="<m@x>")
        no = NewAnswer(uow.now(), "email", "pass", True, "<no@x>", "1" * 64, "No")
        assert await records.record_answer(
            request_id,
            "permission_asked",
            "permission_given",
            NewAnswer(uow.now(), "email", "pass", True, "<yes@x>", "0" * 64, "Yes"),
        )
        assert await records.claim_extract(request_id, "permission_given", "a", clock.now + CLAIM)
        assert not await records.claim_extract(
            request_id, "permission_given", "b", clock.now + CLAIM
        ), "held by a"
        assert not await records.record_answer(
            request_id, "permission_given", "permission_refused", no
        ), "the send is under way"
        await uow.commit()

    clock.now += CLAIM + timedelta(seconds=1)
    async with store.unit_of_work() as uow:
        records = LegalRequests(uow)
        assert await records.claim_extract(request_id, "permission_given", "b", clock.now + CLAIM)
        assert not await records.record_extract_sent(
            request_id, "extract_sent", "2" * 64, "<e@x>", claimant="a"
        ), "a's claim ran out"
        assert await records.record_extract_sent(
            request_id, "extract_sent", "2" * 64, "<e@x>", claimant="b"
        )
        assert not await records.claim_extract(
            request_id, "extract_sent", "c", clock.now + CLAIM
        ), "sent already"
        await uow.commit()
        request = await records.get(reference)
    assert request.status == "extract_sent"
    assert request.extract is not None
