"""The service user's individual needs, recorded on the scheduling form and acted on (issue 18,
part 5), against the sandbox tenant: the parent carer gets the easy-read consent request, the
interpreter is invited and asked for consent like everyone else and recording waits for their
answer too, the meeting's page reminds staff of the documents' format, and the editing form
shows the needs as they stand. Bad input is named beside its field and nothing is scheduled."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.policy.recording_gate import evaluate_recording
from consent_store.needs import needs_of
from consent_store.records import IndividualNeeds, Supporter
from consent_store.unit_of_work import Store
from sandbox.seed import PARENT_CARER, SENCO, SEND_OFFICER
from tests.conftest import FakeClock
from tests.web.test_edit_and_cancel import edit_form_of
from tests.web.test_legal_requests import words_of
from tests.web.test_liaison_in_forms import Connected, connected, read_mail
from tests.web.test_schedule_page import fresh_sandbox, meeting_count, post, with_changes

__all__ = ["connected", "fresh_sandbox"]

ROLE = "British Sign Language interpreter"
NEEDS_FORM = {
    "needs_phone": "yes",
    "needs_easy_read": "yes",
    "needs_supporter": "yes",
    "needs_supporter_name": SEND_OFFICER.display_name,
    "needs_supporter_email": SEND_OFFICER.address,
    "needs_supporter_role": ROLE,
    "needs_format": "yes",
    "needs_format_text": "large print, 18 point",
}


async def _recording_permitted(store: Store, reference: str) -> bool:
    async with store.reading() as uow:
        meeting = await uow.meetings.by_reference(reference)
        return evaluate_recording(await uow.meetings.facts(meeting.id)).permitted


async def test_an_interpreter_is_asked_and_the_gate_waits_for_them(
    store: Store, connected: Connected, clock: FakeClock
) -> None:
    clock.now = datetime.now(UTC)
    scheduled = await post(connected.client, connected.site, with_changes(**NEEDS_FORM))
    assert scheduled.status == 303, await scheduled.text()
    reference = scheduled.headers["Location"].split("/")[-1].split("?")[0]

    async with store.reading() as uow:
        needs = needs_of(uow, await uow.meetings.by_reference(reference))
    assert needs == IndividualNeeds(
        joins_by_phone=True,
        easy_read=True,
        other_format="large print, 18 point",
        supporter=Supporter(SEND_OFFICER.address, ROLE),
    )
    (to_parent,) = [
        m for m in await connected.people.inbox(PARENT_CARER.address) if reference in m["subject"]
    ]
    assert "write one answer from this list" in to_parent["text"]
    assert "Question: recording" in to_parent["text"]
    (to_senco,) = [
        m for m in await connected.people.inbox(SENCO.address) if reference in m["subject"]
    ]
    assert "write one answer from this list" not in to_senco["text"], "easy read is theirs"
    assert f"{SEND_OFFICER.display_name} ({ROLE})" in to_senco["text"]
    (to_interpreter,) = [
        m for m in await connected.people.inbox(SEND_OFFICER.address) if reference in m["subject"]
    ]
    assert "Recording" in to_interpreter["text"]
    assert "Question: recording" not in to_interpreter["text"]

    for person in (PARENT_CARER, SENCO):
        await connected.people.reply(person.address, reference, "Yes")
    await read_mail(store, connected, clock)
    assert not await _recording_permitted(store, reference), "the interpreter has not agreed"
    await connected.people.reply(SEND_OFFICER.address, reference, "Yes")
    await read_mail(store, connected, clock)
    assert await _recording_permitted(store, reference)

    page = await (
        await connected.client.get(connected.site.url(f"/tab/meetings/{reference}"))
    ).text()
    start = page.index('id="needs-heading"')
    needs_words = words_of(page[start : page.index("</section>", start)])
    assert "Reminder: Send the documents as large print, 18 point before the meeting" in needs_words
    assert f"{ROLE} ({SEND_OFFICER.display_name})" in needs_words
    assert "Joins by phone" in needs_words

    edit = await connected.client.get(connected.site.url(f"/tab/meetings/{reference}/edit"))
    fields = edit_form_of(await edit.text(), reference)
    assert (fields["needs-phone"], fields["needs-easy-read"], fields["needs-format"]) == (
        "yes",
        "yes",
        "yes",
    )
    assert fields["needs-supporter-email"] == SEND_OFFICER.address
    assert fields["needs-supporter-role"] == ROLE
    assert f"Remove {SEND_OFFICER.display_name}" not in await edit.text()


async def test_bad_needs_are_named_and_what_was_typed_is_kept(
    store: Store, connected: Connected
) -> None:
    form = with_changes(
        **{
            **NEEDS_FORM,
            "needs_supporter_email": "morgan at interpreters",
            "needs_supporter_role": " ",
            "needs_format_text": "",
        }
    )
    answer = await post(connected.client, connected.site, form)
    assert answer.status == 400
    text = await answer.text()
    assert (
        '<a href="#needs-supporter-email">Enter the email address of the interpreter or supporter'
        " in the right form, like name@example.org.</a>" in text
    )
    assert '<a href="#needs-supporter-role">Enter the interpreter or supporter' in text
    assert '<a href="#needs-format-text">Enter the format the documents are needed in' in text
    assert 'id="needs-supporter-email-error"' in text
    assert 'value="morgan at interpreters"' in text
    assert 'name="needs-easy-read" value="yes" checked' in text
    assert '<details class="govuk-details" open>' in text
    assert await meeting_count(store) == 0
