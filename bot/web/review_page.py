"""The review queue page (`/tab/review`) and its two forms: confirm a reading, or set aside.

Handlers parse the form, call the review-queue use case in one unit of work, and answer by
redirecting back to the queue (so a reload does not post again) or, when the action is
refused, by showing the queue with the reason."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from aiohttp import web

from bot.policy.terms import AuthVerdict, Decision, Topic
from bot.services.consent_intake import ReviewReason
from bot.services.review_queue import (
    AlreadyResolved,
    ItemNotFound,
    RejectReason,
    ReviewRefused,
    confirm,
    open_count,
    open_items,
    reject,
)
from bot.web.app_keys import DECISION_EVENTS
from bot.web.pages import page
from bot.web.session import STAFF_SESSION
from bot.web.site import STAFF_SITE

QUEUE_PATH = "/tab/review"
NOT_ANSWERED = "not_answered"

REASON_WORDS = {
    ReviewReason.NOT_UNDERSTOOD.value: "The reply could not be read with certainty.",
    ReviewReason.NO_MEETING.value: "The email could not be matched to a meeting.",
    ReviewReason.CONFLICTING_MEETING.value: (
        "The reference in the email and the email it replies to point to different meetings."
    ),
    ReviewReason.UNKNOWN_SENDER.value: "It came from an address not invited to the meeting.",
    ReviewReason.SHARED_ADDRESS.value: "More than one attendee was invited at this address.",
    ReviewReason.NO_REQUEST.value: "No consent request had been sent to this person.",
}

AUTH_WORDS = {
    AuthVerdict.PASS: "Passed: it came from the address shown.",
    AuthVerdict.FAIL: "Failed: it may not have come from the address shown.",
    AuthVerdict.NONE: "Not checked: it may not have come from the address shown.",
}

DECISION_WORDS = {
    Decision.GIVEN: "Given",
    Decision.REFUSED: "Refused",
    Decision.WITHDRAWN: "Withdrawn",
}

TOPIC_WORDS = {
    Topic.RECORDING: "Recording the meeting",
    Topic.DOCUMENTS: "Sharing documents",
    Topic.CONTRIBUTION: "IASS contributing to discussions",
}

REJECT_WORDS = {
    RejectReason.NOT_ABOUT_CONSENT: "It is not about consent",
    RejectReason.CANNOT_TELL: "I cannot tell what they mean",
}

NOTICES = {
    "confirmed": "Done: the reading was recorded and the email has left the queue.",
    "rejected": "Done: the email was set aside and nothing was recorded from it.",
}


def reason_in_words(reason: str) -> str:
    return REASON_WORDS.get(reason, reason.replace("_", " ").capitalize())


@dataclass(frozen=True)
class Reading:
    attendee_id: str
    decisions: dict[Topic, Decision]


def parse_reading(form: Mapping[str, str]) -> Reading:
    """The confirm form as a reading; `ReviewRefused` for anything the form cannot send."""
    decisions: dict[Topic, Decision] = {}
    for topic in Topic:
        answer = form.get(topic.value, NOT_ANSWERED)
        if answer == NOT_ANSWERED:
            continue
        if answer not in set(Decision):
            raise ReviewRefused("Choose given, refused, withdrawn or not answered for each topic.")
        decisions[topic] = Decision(answer)
    return Reading(attendee_id=form.get("attendee_id", ""), decisions=decisions)


def parse_reject_reason(form: Mapping[str, str]) -> RejectReason:
    reason = form.get("reason", "")
    if reason not in set(RejectReason):
        raise ReviewRefused("Choose why the email is being set aside.")
    return RejectReason(reason)


def _status_of(refusal: ReviewRefused) -> int:
    if isinstance(refusal, ItemNotFound):
        return 404
    if isinstance(refusal, AlreadyResolved):
        return 409
    return 400


async def _form(request: web.Request) -> dict[str, str]:
    return {name: value for name, value in (await request.post()).items() if isinstance(value, str)}


async def _queue_page(
    request: web.Request,
    *,
    status: int = 200,
    notice: str | None = None,
    problem: str | None = None,
) -> web.Response:
    async with request.config_dict[STAFF_SITE].store.unit_of_work() as uow:
        items = await open_items(uow)
        total = await open_count(uow)
    return page(
        request,
        "review.html.j2",
        status=status,
        items=items,
        total=total,
        notice=notice,
        problem=problem,
        reason_in_words=reason_in_words,
        auth_words=AUTH_WORDS,
        topics=TOPIC_WORDS,
        decisions=DECISION_WORDS,
        not_answered=NOT_ANSWERED,
        reject_reasons=REJECT_WORDS,
    )


async def review_queue(request: web.Request) -> web.Response:
    return await _queue_page(request, notice=NOTICES.get(request.query.get("done", "")))


async def confirm_item(request: web.Request) -> web.Response:
    staff = request[STAFF_SESSION]
    try:
        reading = parse_reading(await _form(request))
        async with request.config_dict[STAFF_SITE].store.unit_of_work() as uow:
            meeting_id = await confirm(
                uow,
                request.match_info["item_id"],
                staff.object_id,
                reading.attendee_id,
                reading.decisions,
            )
            await uow.commit()
    except ReviewRefused as refusal:
        return await _queue_page(request, status=_status_of(refusal), problem=str(refusal))
    await request.config_dict[DECISION_EVENTS].decisions_changed(meeting_id)
    raise web.HTTPSeeOther(f"{QUEUE_PATH}?done=confirmed")


async def reject_item(request: web.Request) -> web.Response:
    staff = request[STAFF_SESSION]
    try:
        reason = parse_reject_reason(await _form(request))
        async with request.config_dict[STAFF_SITE].store.unit_of_work() as uow:
            await reject(uow, request.match_info["item_id"], staff.object_id, reason)
            await uow.commit()
    except ReviewRefused as refusal:
        return await _queue_page(request, status=_status_of(refusal), problem=str(refusal))
    raise web.HTTPSeeOther(f"{QUEUE_PATH}?done=rejected")
