"""The review queue page (`/tab/review`) and its two forms: confirm a reading, or set aside.

Handlers parse the form, call the review-queue use case in one unit of work, and answer by
redirecting back to the queue (so a reload does not post again) or, when the action is
refused, by showing the queue with the reason."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from aiohttp import web

from bot.intake.classify import classify_text
from bot.policy.legal_permission import ReviewReason as LegalReviewReason
from bot.services.intake_results import ReviewReason
from bot.services.review_follow_ups import ReviewFollowUps
from bot.services.review_queue import (
    AlreadyResolved,
    ItemNotFound,
    RejectReason,
    ReviewRefused,
    confirm,
    is_conditional,
    open_count,
    open_items,
    reject,
)
from bot.web.app_keys import DECISION_EVENTS, SETTINGS_KEY, TENANT_ACCESS
from bot.web.pages import page
from bot.web.session import STAFF_SESSION
from bot.web.site import STAFF_SITE
from bot.web.wording import DECISION_WORDS, TOPIC_WORDS
from domain.terms import AuthVerdict, Decision, Topic

logger = logging.getLogger(__name__)

QUEUE_PATH = "/tab/review"
NOT_ANSWERED = "not_answered"

REASON_WORDS = {
    ReviewReason.NOT_UNDERSTOOD.value: "The bot could not be sure what the reply means:",
    ReviewReason.NO_MEETING.value: "The email could not be matched to a meeting.",
    ReviewReason.CONFLICTING_MEETING.value: (
        "The reference in the email and the email it replies to point to different meetings."
    ),
    ReviewReason.UNKNOWN_SENDER.value: "It came from an address not invited to the meeting.",
    ReviewReason.SHARED_ADDRESS.value: "More than one attendee was invited at this address.",
    ReviewReason.NO_REQUEST.value: "No consent request had been sent to this person.",
    LegalReviewReason.NOT_AUTHENTICATED.value: "It did not pass the sender check, so it cannot"
    " give permission.",
    LegalReviewReason.NOT_AWAITING.value: "The legal request was not waiting for an answer.",
}

AUTH_WORDS = {
    AuthVerdict.PASS: "Passed: it came from the address shown.",
    AuthVerdict.FAIL: "Failed: it may not have come from the address shown.",
    AuthVerdict.NONE: "Not checked: it may not have come from the address shown.",
}

REJECT_WORDS = {
    RejectReason.NOT_ABOUT_CONSENT: "It is not about consent",
    RejectReason.CANNOT_TELL: "I cannot tell what they mean",
}

UNCLEAR_WORDS = {
    "condition": "it agrees only on a condition",
    "question": "it asks a question",
    "not understood": "the words were not understood",
    "something for a person to act on": "it asks for something a person must act on",
    "sharing the recording": "it is about sharing the recording",
    "negation not understood": "it is not clear what the 'no' refers to",
    "yes with a qualification": "it says yes, but with a qualification",
    "yes to something not asked about": "it says yes to something they were not asked about",
    "double or partial negative": "it has a double or partial negative",
    "yes and no together": "it says yes and no together",
    "topic without a clear answer": "it names a topic without a clear answer",
    "exception to a refusal": "it makes an exception to a refusal",
    "no new words from the sender": "it has no words of their own",
}


def unclear_sentences(text: str | None) -> tuple[str, ...]:
    """Which words of the reply could not be read with certainty, and why, as the intake
    read them (the same classifier on the same stored words)."""
    if not text:
        return ()
    reasons_of: dict[str, list[str]] = {}
    for reason in classify_text(text).review_reasons:
        why, _, words = reason.partition(": ")
        for topic in Topic:
            why = why.replace(topic.value, TOPIC_WORDS[topic].lower())
        explained = UNCLEAR_WORDS.get(why, why)
        reasons_of.setdefault(words, [])
        if explained not in reasons_of[words]:
            reasons_of[words].append(explained)
    return tuple(
        f"{words or 'The reply'}: {', and '.join(explained)}."
        for words, explained in reasons_of.items()
    )


NOTICES = {
    "confirmed": "Done: the reading was recorded, the email has left the queue, and the sender "
    "was sent a receipt.",
    "confirmed-no-receipt": "Done: the reading was recorded and the email has left the queue. "
    "The receipt could not be sent to the sender yet (the bot's log says why): the bot will "
    "keep trying, and if their address is no longer kept, let them know their answer was "
    "recorded.",
    "rejected": "Done: the email was set aside and nothing was recorded from it.",
}


def reason_in_words(reason: str) -> str:
    return REASON_WORDS.get(reason, reason.replace("_", " ").capitalize())


@dataclass(frozen=True)
class Reading:
    attendee_id: str
    decisions: dict[Topic, Decision]
    condition: str | None = None


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
    condition = " ".join(form.get("condition", "").split()) or None
    return Reading(
        attendee_id=form.get("attendee_id", ""), decisions=decisions, condition=condition
    )


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
        unclear_sentences=unclear_sentences,
        is_conditional=is_conditional,
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
    item_id = request.match_info["item_id"]
    store = request.config_dict[STAFF_SITE].store
    try:
        reading = parse_reading(await _form(request))
        async with store.unit_of_work() as uow:
            meeting_id = await confirm(
                uow,
                item_id,
                staff.object_id,
                reading.attendee_id,
                reading.decisions,
                reading.condition,
            )
            await uow.commit()
    except ReviewRefused as refusal:
        return await _queue_page(request, status=_status_of(refusal), problem=str(refusal))
    await request.config_dict[DECISION_EVENTS].decisions_changed(meeting_id)
    clients = request.config_dict[TENANT_ACCESS].clients
    if clients is None:
        logger.warning("receipt after a review not sent yet: not connected to Microsoft 365")
        sent = False
    else:
        follow_ups = ReviewFollowUps(
            store, clients.mailbox, request.config_dict[SETTINGS_KEY].service
        )
        sent = await follow_ups.send_receipt_now(item_id)
    raise web.HTTPSeeOther(f"{QUEUE_PATH}?done={'confirmed' if sent else 'confirmed-no-receipt'}")


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
