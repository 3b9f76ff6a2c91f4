"""The review queue page: staff read each waiting email and confirm or set it aside through
forms that carry the session's CSRF token; the outcome is in the store and the audit log."""

from __future__ import annotations

import html

import aiohttp
from markupsafe import escape
from sqlalchemy import select

from bot.web.review_page import unclear_sentences
from consent_store.tables import AuditEntryRow, ReviewItemRow
from consent_store.unit_of_work import Store
from domain.terms import Decision, Topic
from tests.builders import PARENT, SENCO, schedule
from tests.web.review_items import THEIR_WORDS, queue_item
from tests.web.staff_site import CSRF_TOKEN, STAFF_SESSION, StaffServer, forms_in

CONFIRMED_NOTICE = "Done: the reading was recorded"


async def actions(store: Store) -> list[tuple[str, str]]:
    async with store.unit_of_work() as uow:
        rows = await uow.session.execute(
            select(AuditEntryRow.action, AuditEntryRow.actor).order_by(AuditEntryRow.seq)
        )
        return [(action, actor) for action, actor in rows]


async def status_of(store: Store, item_id: str) -> str:
    async with store.unit_of_work() as uow:
        row = await uow.session.get(ReviewItemRow, item_id)
        assert row is not None
        return row.status


async def test_the_queue_shows_each_email_with_the_senders_words(
    store: Store, signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    meeting, (parent, _, _) = await schedule(store)
    item = await queue_item(store, meeting, parent)
    await queue_item(store, sender="stranger@example.net", reason="no_matching_meeting")
    async with store.unit_of_work() as uow:
        reference = (await uow.meetings.get(meeting)).reference

    page = await signed_in.get(staff_site.url("/tab/review"))
    assert page.status == 200
    text = await page.text()
    assert "2 emails are waiting" in text
    assert PARENT.email in text
    assert html.escape(THEIR_WORDS) in text
    assert f'<a class="govuk-link" href="/tab/meetings/{reference}">Annual review planning' in text
    assert "Tue 10 Nov 2026, 10:00 (UK time)" in text
    assert "The bot could not be sure what the reply means:" in text
    assert str(escape(f'"{THEIR_WORDS}": it asks a question.')) in text
    assert "The email could not be matched to a meeting." in text
    assert "it can only be set aside" in text
    assert "Email received 08 Nov 2026 at 10:00" in text
    forms = forms_in(text)
    confirm_form = next(f for f in forms if f.action == f"/tab/review/{item}/confirm")
    assert confirm_form.fields["csrf_token"] == CSRF_TOKEN
    assert set(confirm_form.radios) == {"recording", "documents", "contribution", "liaison"}, (
        "all asked"
    )
    assert confirm_form.radios["recording"] == ["given", "refused", "withdrawn", "not_answered"]
    reject_forms = [f for f in forms if f.action.endswith("/reject")]
    assert len(reject_forms) == 2
    assert reject_forms[0].radios["reason"] == ["not_about_consent", "cannot_tell"]
    assert f'<option value="{parent}" selected>{PARENT.name} (parent carer), sent from' in text
    assert f"{SENCO.name} (professional)</option>" in text


async def test_confirming_a_reading_records_it_and_the_item_leaves_the_queue(
    store: Store, signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    meeting, (parent, _, _) = await schedule(store)
    item = await queue_item(store, meeting, parent)
    gates_asked_again: list[str] = []

    async def heard(meeting_id: str) -> None:
        gates_asked_again.append(meeting_id)

    staff_site.events.add(heard)

    confirmed = await signed_in.post(
        staff_site.url(f"/tab/review/{item}/confirm"),
        data={
            "csrf_token": CSRF_TOKEN,
            "attendee_id": parent,
            "recording": "given",
            "documents": "not_answered",
            "contribution": "withdrawn",
        },
        allow_redirects=False,
    )
    assert confirmed.status == 303
    assert confirmed.headers["Location"] == "/tab/review?done=confirmed-no-receipt"
    page = await signed_in.get(staff_site.url(confirmed.headers["Location"]))
    text = await page.text()
    assert CONFIRMED_NOTICE in text
    assert "The receipt could not be sent to the sender" in text, "not connected to Microsoft 365"
    assert "No emails are waiting." in text
    assert html.escape(THEIR_WORDS) not in text

    async with store.unit_of_work() as uow:
        decisions = (await uow.meetings.facts(meeting)).decisions
    assert {(d.topic, d.decision) for d in decisions} == {
        (Topic.RECORDING, Decision.GIVEN),
        (Topic.CONTRIBUTION, Decision.WITHDRAWN),
    }
    assert await status_of(store, item) == "confirmed"
    assert ("review.confirmed", STAFF_SESSION.object_id) in await actions(store)
    assert gates_asked_again == [meeting]


async def test_resolving_twice_is_refused_with_a_clear_message(
    store: Store, signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    meeting, (parent, _, _) = await schedule(store)
    item = await queue_item(store, meeting, parent)
    reject = staff_site.url(f"/tab/review/{item}/reject")
    form = {"csrf_token": CSRF_TOKEN, "reason": "not_about_consent"}

    first = await signed_in.post(reject, data=form, allow_redirects=False)
    assert first.status == 303
    assert first.headers["Location"] == "/tab/review?done=rejected"
    again = await signed_in.post(reject, data=form, allow_redirects=False)
    assert again.status == 409
    text = await again.text()
    assert "Nothing was changed" in text
    assert "Someone has already dealt with that email" in text
    confirm_after = await signed_in.post(
        staff_site.url(f"/tab/review/{item}/confirm"),
        data={"csrf_token": CSRF_TOKEN, "attendee_id": parent, "recording": "given"},
        allow_redirects=False,
    )
    assert confirm_after.status == 409
    assert await status_of(store, item) == "rejected"
    assert [a for a, _ in await actions(store) if a.startswith("review.")] == ["review.rejected"]


async def test_a_form_the_page_could_not_send_is_refused(
    store: Store, signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    meeting, (parent, _, _) = await schedule(store)
    item = await queue_item(store, meeting, parent)
    cases = [
        ("confirm", {"attendee_id": parent, "recording": "maybe"}, 400, "Choose given"),
        ("confirm", {"attendee_id": parent}, 400, "at least one topic"),
        ("confirm", {"attendee_id": "", "recording": "given"}, 400, "Choose one of the"),
        ("reject", {"reason": "bored"}, 400, "Choose why"),
    ]
    for action, fields, status, message in cases:
        answer = await signed_in.post(
            staff_site.url(f"/tab/review/{item}/{action}"),
            data={"csrf_token": CSRF_TOKEN, **fields},
        )
        assert answer.status == status, fields
        assert message in await answer.text()
    unknown = await signed_in.post(
        staff_site.url(f"/tab/review/{'0' * 32}/reject"),
        data={"csrf_token": CSRF_TOKEN, "reason": "cannot_tell"},
    )
    assert unknown.status == 404
    assert await status_of(store, item) == "open"


async def test_the_queue_needs_a_staff_session(
    store: Store, client: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    meeting, (parent, _, _) = await schedule(store)
    item = await queue_item(store, meeting, parent)
    page = await client.get(staff_site.url("/tab/review"), allow_redirects=False)
    assert page.status == 303
    posted = await client.post(
        staff_site.url(f"/tab/review/{item}/reject"),
        data={"csrf_token": CSRF_TOKEN, "reason": "cannot_tell"},
        allow_redirects=False,
    )
    assert posted.status == 403
    assert await status_of(store, item) == "open"


async def test_an_item_asks_only_about_the_topics_that_person_was_asked(
    store: Store, signed_in: aiohttp.ClientSession, staff_site: StaffServer
) -> None:
    meeting, (_, senco, _) = await schedule(store)
    item = await queue_item(
        store, meeting, senco, sender=SENCO.email, asked_about=(Topic.RECORDING,)
    )
    text = await (await signed_in.get(staff_site.url("/tab/review"))).text()
    confirm_form = next(f for f in forms_in(text) if f.action == f"/tab/review/{item}/confirm")
    assert set(confirm_form.radios) == {"recording"}

    refused = await signed_in.post(
        staff_site.url(f"/tab/review/{item}/confirm"),
        data={"csrf_token": CSRF_TOKEN, "attendee_id": senco, "documents": "given"},
    )
    assert refused.status == 400
    assert "That person was not asked about sharing documents" in await refused.text()
    assert await status_of(store, item) == "open"


def test_each_unclear_phrase_is_said_once_with_every_reason() -> None:
    assert unclear_sentences("Yes, as long as the recording is deleted after the meeting.") == (
        '"as long as the recording is deleted after the meeting": it agrees only on a '
        "condition, and it asks for something a person must act on.",
    )
    assert unclear_sentences(None) == ()
