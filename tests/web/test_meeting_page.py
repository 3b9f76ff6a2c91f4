"""The meeting page: consent per attendee and topic, the gates' answers in plain words with
names, documents, the review queue's count and an audit trail without ids."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from urllib.parse import unquote

import aiohttp
from markupsafe import escape

from bot.policy.blockers import Blocker, BlockerCode
from bot.web.meeting_page import (
    ATTENTION_WORDS,
    audit_line,
    meeting_view,
    reasons_in_words,
)
from bot.web.meeting_records import load_meeting, verdicts_for
from bot.web.site import teams_link
from consent_store.audit import AuditEvent
from consent_store.records import NewAttendee, NewConsentRequest, NewDecision
from consent_store.tables import AuditEntryRow
from consent_store.unit_of_work import Store
from domain.terms import AuthVerdict, Decision, Topic
from tests.builders import MEETING_START, PARENT, SENCO, STAFF, a_meeting, reply, schedule
from tests.web.markup import link, row
from tests.web.review_items import queue_item
from tests.web.staff_site import StaffServer

HOSTILE = NewAttendee('<script>alert("x")</script> Bo', "bo@example.org", PARENT.kind)


async def ask(store: Store, meeting_id: str, attendee_id: str, *topics: Topic) -> None:
    async with store.unit_of_work() as uow:
        await uow.meetings.add_request(
            NewConsentRequest(
                meeting_id=meeting_id,
                attendee_id=attendee_id,
                message_id=f"<{uuid.uuid4().hex}@iass.example.com>",
                template_version="test",
                text_sha256="0" * 64,
                topics=topics,
                documents_covered=(),
                sent_at=uow.now(),
            )
        )
        await uow.commit()


async def reference_of(store: Store, meeting_id: str) -> str:
    async with store.reading() as uow:
        return (await uow.meetings.get(meeting_id)).reference


async def meeting_text(client: aiohttp.ClientSession, site: StaffServer, reference: str) -> str:
    response = await client.get(site.url(f"/tab/meetings/{reference}"))
    assert response.status == 200
    return " ".join((await response.text()).split())


async def test_the_page_shows_consent_and_the_gates_in_plain_words(
    store: Store, signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    meeting_id, (parent, senco, staff) = await schedule(store)
    await ask(store, meeting_id, parent, Topic.RECORDING, Topic.DOCUMENTS, Topic.CONTRIBUTION)
    await ask(store, meeting_id, senco, Topic.RECORDING)
    await ask(store, meeting_id, staff, Topic.RECORDING)
    await reply(store, meeting_id, parent, PARENT.email)
    await reply(store, meeting_id, senco, SENCO.email)
    await queue_item(store, meeting_id)
    reference = await reference_of(store, meeting_id)

    text = await meeting_text(signed_in, staff_site, reference)
    assert "Annual review planning for Okafor-Bell family" in text
    assert "Tue 10 Nov 2026, 10:00 to 11:00" in text
    assert row("Declared role", "Support and contribute") in text
    assert row("Recording requested", "Yes") in text
    assert row("Teams allows recording now", "Not known") in text
    assert "Given</strong><br> Received Mon 09 Nov 2026, 10:00 (UK time)" in text
    assert "By email<br> Authenticated, from their invited address" in text
    assert "No reply yet" in text
    assert "Recording not permitted" in text
    glance = text.split('id="glance-heading">At a glance</h2>')[1].split("</section>")[0]
    assert (
        row("Recording", '<strong class="govuk-tag govuk-tag--red">Not permitted</strong>')
        in glance
    )
    assert (
        row("Role stated", '<strong class="govuk-tag govuk-tag--yellow">Support</strong>') in glance
    )
    assert "Priya Castellano (recording the meeting, sharing documents, IASS" in glance
    assert "Priya Castellano has not replied to the request for consent to recording" in text
    assert (
        "Rhiannon Okafor-Bell has not replied to the request for consent to staff contributing"
        in text
    )
    assert "The bot will state the role: support (not the declared role)" in text
    assert "Draft EHC plan section F" in text
    assert "Sharing not permitted" in text
    assert "1 email about this meeting is waiting" in text
    assert "<strong>Consent was given.</strong></p>" in text
    assert "(UK time), by the bot</p>" in text
    assert "<li>about recording the meeting</li>" in text
    assert "(late:" not in text
    for pseudonymous_id in (meeting_id, parent, senco, staff):
        assert pseudonymous_id not in text


async def test_refusals_and_late_replies_are_marked(
    store: Store, signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    meeting_id, (parent, senco, staff) = await schedule(store)
    await reply(store, meeting_id, parent, PARENT.email)
    await reply(store, meeting_id, senco, SENCO.email, Decision.REFUSED)
    await reply(store, meeting_id, staff, STAFF.email, received_at=MEETING_START)

    text = await meeting_text(signed_in, staff_site, await reference_of(store, meeting_id))
    assert "Refused</strong>" in text
    assert "Tomasz Wielgosz refused consent to recording the meeting." in text
    assert "Given</strong> (late: received at or after the start)" in text
    assert "Priya Castellano&#39;s reply about recording the meeting arrived after" in text


async def test_a_meeting_started_early_shows_late_replies_and_why_recording_stays_off(
    store: Store, signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    meeting_id, (parent, senco, _) = await schedule(store)
    started = MEETING_START - timedelta(hours=2)
    await reply(store, meeting_id, parent, PARENT.email, received_at=started - timedelta(hours=1))
    await reply(store, meeting_id, senco, SENCO.email, received_at=started + timedelta(minutes=5))
    async with store.unit_of_work() as uow:
        await uow.meetings.mark_started(meeting_id, started)
        await uow.meetings.close_recording_for_good(meeting_id, started, ())
        await uow.commit()

    text = await meeting_text(signed_in, staff_site, await reference_of(store, meeting_id))
    assert "Given</strong> (late: received at or after the start)" in text
    assert "Tomasz Wielgosz&#39;s reply about recording the meeting arrived after" in text
    assert "so it stays off until the meeting ends" in text
    assert "already started, so it can no longer be changed" in text


async def test_names_are_escaped(
    store: Store, signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    meeting_id, _ = await schedule(store, a_meeting(attendees=(HOSTILE, STAFF)))
    text = await meeting_text(signed_in, staff_site, await reference_of(store, meeting_id))
    assert "<script>" not in text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Bo has not replied" in text


async def test_a_meeting_needing_attention_says_why_in_words(
    store: Store, signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    meeting_id, _ = await schedule(store, a_meeting())
    reference = await reference_of(store, meeting_id)
    for code, words in ATTENTION_WORDS.items():
        async with store.unit_of_work() as uow:
            (await uow.meetings.get(meeting_id)).needs_attention = code
            await uow.commit()
        text = await meeting_text(signed_in, staff_site, reference)
        assert str(escape(words)) in text, code


async def test_an_unknown_reference_is_not_found(
    signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    response = await signed_in.get(staff_site.url("/tab/meetings/IASS-ZZZZZZZZ"))
    assert response.status == 404
    assert "Meeting not found" in await response.text()


async def test_visitors_without_a_session_are_sent_to_sign_in(
    store: Store, client: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    meeting_id, _ = await schedule(store)
    reference = await reference_of(store, meeting_id)
    response = await client.get(staff_site.url(f"/tab/meetings/{reference}"), allow_redirects=False)
    assert response.status == 303
    assert (
        unquote(response.headers["Location"])
        == f"/auth/sign-in?return_to=/tab/meetings/{reference}"
    )


async def test_the_home_page_links_to_each_meeting(
    store: Store, signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    reference = await reference_of(store, (await schedule(store))[0])
    text = await (await signed_in.get(staff_site.url("/tab"))).text()
    assert (
        link(f"/tab/meetings/{reference}", "Annual review planning for Okafor-Bell family") in text
    )


async def test_the_view_model_says_who_confirmed_a_decision(store: Store) -> None:
    meeting_id, (parent, _, _) = await schedule(store)
    async with store.unit_of_work() as uow:
        await uow.meetings.add_decision(
            NewDecision(
                meeting_id=meeting_id,
                attendee_id=parent,
                topic=Topic.DOCUMENTS,
                decision=Decision.WITHDRAWN,
                received_at=MEETING_START - timedelta(hours=2),
                auth=AuthVerdict.FAIL,
                sender_matches=False,
                decided_by="staff:11111111-aaaa-4bbb-8ccc-000000000001",
            ),
            uow.now(),
        )
        await uow.commit()
    async with store.reading() as uow:
        records = await load_meeting(uow, (await uow.meetings.get(meeting_id)).reference)
    view = meeting_view(records, verdicts_for(records))
    (status,) = view.attendees[0].topics
    assert (status.topic, status.decision, status.late) == ("Sharing documents", "Withdrawn", False)
    assert status.how == "Confirmed by staff from the review queue"
    assert status.authentication == "Failed authentication, not from their invited address"
    assert view.documents[0].sharing.reasons == (
        "Rhiannon Okafor-Bell withdrew consent to sharing documents.",
    )


def test_reasons_without_an_attendee_say_someone() -> None:
    blockers = (
        Blocker(BlockerCode.NO_REPLY, Topic.RECORDING, "gone"),
        Blocker(BlockerCode.MEETING_CANCELLED, Topic.RECORDING),
    )
    assert reasons_in_words(blockers, {"gone": None}) == (
        "Someone has not replied to the request for consent to recording the meeting.",
        "The meeting has been cancelled.",
    )


def test_audit_lines_show_no_ids() -> None:
    entry = AuditEntryRow(
        seq=1,
        at=MEETING_START,
        action="review.rejected",
        meeting_id=uuid.uuid4().hex,
        subject_id=uuid.uuid4().hex,
        actor="11111111-aaaa-4bbb-8ccc-000000000001",
        detail=json.dumps({"review_item": uuid.uuid4().hex, "reason": "cannot_tell", "ok": True}),
        mac="0" * 64,
    )
    line = audit_line(entry)
    assert (line.action, line.actor) == (
        "Staff set an email in the review queue aside.",
        "a staff member",
    )
    assert line.details == ("ok: yes", "why: staff could not tell what it meant")
    named = audit_line(entry, {"11111111-aaaa-4bbb-8ccc-000000000001": "Priya Castellano"})
    assert named.actor == "Priya Castellano"


def test_audit_details_are_in_words() -> None:
    entry = AuditEntryRow(
        seq=2,
        at=MEETING_START,
        action="consent.requested",
        meeting_id=uuid.uuid4().hex,
        subject_id=uuid.uuid4().hex,
        actor="system",
        detail=json.dumps(
            {"topics": ["recording", "contribution"], "template": "consent-request/4/adult"}
        ),
        mac="0" * 64,
    )
    line = audit_line(entry)
    assert (line.action, line.actor) == ("A consent request was emailed.", "the bot")
    assert line.details == (
        "the consent request worded for an adult (version 4)",
        "asked about: recording the meeting, staff contributing to discussions",
    )


PROMPT_KEY = "661051bab" + "0" * 55
CODES_AND_RAW_VALUES = (
    PROMPT_KEY,
    "closed since start",
    "gate closed during",
    "recording reconcile",
    "state: established",
    "localhost",
    "role reasons",
    "unseen seconds",
    "sight lost",
    "not in call",
    "call ended",
    "found by:",
    "after meeting",
    "error: ODataError",
)
"""What the audit trail showed before: codes, hashes and raw values staff cannot use."""

AUDITED = (
    ("call.prompt_started", {"call": "c-1", "operation": "op-1", "prompt": PROMPT_KEY}),
    ("call.prompt_finished", {"call": "c-1", "status": "completed", "prompt": PROMPT_KEY}),
    ("call.state_changed", {"call": "c-1", "state": "established"}),
    ("call.not_spoken", {"reason": "not_in_call"}),
    ("call.not_spoken", {"reason": "call_ended"}),
    ("job.done", {"kind": "recording_reconcile"}),
    ("teams.service_url_changed", {"host": "localhost"}),
    (
        "meeting.announced",
        {"call": "c-1", "role": "support", "role_reasons": "", "recording_permitted": False},
    ),
    ("recording.closed_for_good", {"cause": "sight_lost", "blockers": ["closed_since_start"]}),
    ("recording.sight_lost", {"unseen_seconds": 95}),
    (
        "recording.found_without_consent",
        {"kind": "recording", "found_by": "after_meeting", "reasons": ["gate_closed_during"]},
    ),
    ("meeting.change_failed", {"error": "ODataError", "moved": True, "attendees_added": 0}),
)


async def test_the_audit_trail_shows_staff_words_not_codes(
    store: Store, signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    meeting_id, _ = await schedule(store)
    async with store.unit_of_work() as uow:
        for action, detail in AUDITED:
            await uow.audit(AuditEvent(action, meeting_id=meeting_id, detail=detail))
        await uow.commit()

    text = await meeting_text(signed_in, staff_site, await reference_of(store, meeting_id))

    for shown in (
        "The bot began saying a spoken notice in the call.",
        "it played to the end",
        "the call is connected",
        "Something the bot had to say in the meeting&#39;s call was not said.",
        "why: the bot was not in the call",
        "why: the call had ended before its turn came",
        "task: checking that Teams&#39; recording setting matches consent",
        "Teams gave the bot a new address for the meeting&#39;s chat.",
        "role: support",
        "recording was not permitted",
        "checked because the bot could not see who was in the meeting for a while",
        "not permitted because: recording was switched off after the meeting started, so it"
        " stays off until the meeting ends",
        "For a while after the meeting started, the bot could not see who was in it",
        "the bot could not see who was in the meeting for 1 minute 35 seconds",
        "found by the check after the meeting",
        "why it was not permitted: recording stopped being permitted during the meeting",
        "Teams did not accept a change to the meeting, so nothing was changed.",
        "what went wrong: Microsoft 365 refused the request",
        "the time changed",
    ):
        assert shown in text
    trail = text[text.index("Audit trail") :]
    for code in CODES_AND_RAW_VALUES:
        assert code not in trail
    assert "<li></li>" not in trail
    assert "attendees added" not in trail


async def test_the_page_links_to_the_meeting_in_teams_on_the_tenants_origin(
    store: Store, signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    meeting_id, _ = await schedule(store)
    join_path = "/l/meetup-join/19%3ameeting_abc%40thread.v2/0?context=%7b%7d"
    async with store.unit_of_work() as uow:
        (
            await uow.meetings.get(meeting_id)
        ).teams_join_url = f"https://teams.microsoft.com{join_path}"
        await uow.commit()

    text = await meeting_text(signed_in, staff_site, await reference_of(store, meeting_id))

    link = f'href="{escape(staff_site.tenant.teams_web_url + join_path)}"'
    assert link in text
    assert "Join the meeting in Teams" in text


def test_teams_links_open_on_the_configured_teams_web_url() -> None:
    url = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_a%40thread.v2/0"
    assert teams_link(url, "https://teams.microsoft.com") == url
    assert teams_link(url, "http://localhost:3979/") == (
        "http://localhost:3979/l/meetup-join/19%3ameeting_a%40thread.v2/0"
    )
    assert teams_link("https://teams.microsoft.com.evil.example/x", "http://s") == (
        "https://teams.microsoft.com.evil.example/x"
    )
    assert teams_link(None, "http://s") is None
    assert teams_link("https://example.org/x", "http://s") == "https://example.org/x"
