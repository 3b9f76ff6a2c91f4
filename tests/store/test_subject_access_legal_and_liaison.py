"""Subject access holds permission to liaise (with the professionals the person was asked
about) and the requests for their information for legal reasons: who asked and why, what they
answered, and whether, when and how anything was sent, never the safeguarding reason's words;
nothing about another person's legal request."""

from __future__ import annotations

from datetime import timedelta

from consent_store.legal_request_records import NewAnswer, NewLegalRequest
from consent_store.legal_requests import LegalRequests
from consent_store.liaison import LiaisonRecords
from consent_store.records import NewConsentRequest, NewDecision
from consent_store.subject_access import subject_access_report
from consent_store.unit_of_work import Store
from domain.terms import AuthVerdict, Decision, Topic
from tests.builders import MEETING_START, PARENT, SENCO, schedule

SEND_TEAM = "Northshire SEND team, SEND officer"
REASON = "A disclosure that the child is at risk"


async def test_the_report_holds_liaison_and_legal_requests(store: Store) -> None:
    meeting_id, (parent, senco, _) = await schedule(store)
    async with store.unit_of_work() as uow:
        change = await LiaisonRecords(uow).name(meeting_id, [SEND_TEAM])
        request_id = await uow.meetings.add_request(
            NewConsentRequest(
                meeting_id=meeting_id,
                attendee_id=parent,
                message_id="<request@iass.example.com>",
                template_version="consent-request/4/adult",
                text_sha256="1" * 64,
                topics=(Topic.LIAISON,),
                documents_covered=(),
                sent_at=MEETING_START - timedelta(days=3),
            )
        )
        await LiaisonRecords(uow).cover(request_id, change.added)
        await uow.meetings.add_decision(
            NewDecision(
                meeting_id=meeting_id,
                attendee_id=parent,
                topic=Topic.LIAISON,
                decision=Decision.GIVEN,
                received_at=MEETING_START - timedelta(days=2),
                auth=AuthVerdict.PASS,
                sender_matches=True,
                decided_by="email",
                sender=PARENT.email,
                phrase="Liaison: yes",
                request_id=request_id,
            ),
            uow.now(),
        )
        records = LegalRequests(uow)
        asked = await records.add(
            NewLegalRequest(
                officer_name="Sam Lee, SEND casework officer",
                officer_email="sam.lee@council.example.gov.uk",
                basis="Judicial review",
                attendee_id=parent,
                meeting_ids=(meeting_id,),
                logged_by="staff",
            )
        )
        await records.decide(
            asked, "permission_asked", "manager", message_id="<m@x>", sha256="2" * 64
        )
        await records.record_answer(
            (await records.get(asked)).id,
            "permission_asked",
            "permission_refused",
            NewAnswer(uow.now(), "email", "pass", True, "<a@x>", "3" * 64, "No thank you"),
        )
        overridden = await records.add(
            NewLegalRequest(
                "Dev Marsh",
                "dev@council.example.gov.uk",
                "Care proceedings",
                parent,
                (meeting_id,),
                "staff",
            )
        )
        overridden_id = (await records.get(overridden)).id
        await records.record_safeguarding(
            overridden_id, "logged", "safeguarding", REASON, "manager"
        )
        await records.record_extract_sent(overridden_id, "extract_sent", "4" * 64, "<e@x>")
        await records.add(
            NewLegalRequest(
                "Someone",
                "s@council.example.gov.uk",
                "About the school",
                senco,
                (meeting_id,),
                "staff",
            )
        )
        await uow.commit()

    async with store.reading() as uow:
        report = await subject_access_report(uow, PARENT.email)
    (liaison,) = [d for d in report.decisions if d.topic == "liaison"]
    assert liaison.organisations == (SEND_TEAM,)
    assert [r.reference for r in report.legal_requests] == [asked, overridden], "theirs only"
    refused, sent = report.legal_requests
    assert (refused.officer, refused.basis, refused.answer) == (
        "Sam Lee, SEND casework officer",
        "Judicial review",
        "refused",
    )
    assert refused.permission_asked_at is not None
    assert refused.answer_words == "No thank you"
    assert refused.extract_sent_at is None
    assert sent.sent_for_safeguarding_at is not None
    assert sent.extract_sha256 == "4" * 64
    assert sent.permission_asked_at is None

    html = report.to_html()
    assert "Requests for your information for legal reasons" in html
    assert f"The professionals or organisations named in what we asked you: {SEND_TEAM}." in html
    assert "You refused permission" in html
    assert "without your permission, for a safeguarding reason" in html
    assert "4" * 64 in html
    assert REASON not in html
    assert REASON not in report.to_json()
    assert "About the school" not in html
    assert "Judicial review" in report.to_json()


async def test_a_legal_request_is_in_its_service_users_report_only(store: Store) -> None:
    meeting_id, (parent, *_) = await schedule(store)
    async with store.unit_of_work() as uow:
        await LegalRequests(uow).add(
            NewLegalRequest(
                "Sam Lee", "sam@council.example.gov.uk", "Tribunal", parent, (meeting_id,), "staff"
            )
        )
        await uow.commit()
    async with store.reading() as uow:
        report = await subject_access_report(uow, SENCO.email)
        assert not report.legal_requests
        report = await subject_access_report(uow, PARENT.email)
    assert len(report.legal_requests) == 1
    assert report.legal_requests[0].answer is None
