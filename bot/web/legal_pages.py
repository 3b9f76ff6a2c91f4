"""Requests for information for legal reasons (issue 17): any staff member logs one; only the
service manager decides it (refuse, or ask the service user's permission by email), reads
the service user's replies the bot could not read with confidence (permission given, refused,
or set aside), and may record a safeguarding reason to send without permission (a typed reason
is required), on the request's page, which also shows their answer, the safeguarding reason and
the extract as sent.

A form that cannot be kept is shown again with what was typed and each problem named; nothing
is half-created (the request and its meetings are kept in one transaction, or not at all)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web

from bot.policy.legal_permission import RequestStatus, may_override
from bot.ports.failures import GRAPH_FAILURES
from bot.services.legal_answers import AnswerRefused, read_reply, set_reply_aside
from bot.services.legal_extracts import LegalExtracts
from bot.services.legal_request_decisions import (
    AlreadyDecided,
    OverrideProblem,
    PermissionNotAskable,
    ask_permission,
    disposal_words,
    override_for_safeguarding,
    parse_reason,
    refuse_legal_request,
)
from bot.services.legal_requests import (
    FIELDS,
    LegalRequestProblems,
    log_legal_request,
    parse_legal_request,
)
from bot.web.app_keys import SETTINGS_KEY, TENANT_ACCESS
from bot.web.error_pages import not_found
from bot.web.manager_guard import refused_unless_manager
from bot.web.pages import page
from bot.web.session import STAFF_SESSION
from bot.web.site import STAFF_SITE
from bot.web.wording import LEGAL_STATUS_WORDS, NO_LEGAL_REQUEST
from consent_store.legal_request_records import LegalRequest
from consent_store.legal_requests import LegalRequestNotFound, LegalRequests
from consent_store.unit_of_work import Store
from domain.terms import AuthVerdict

NOTICES = {
    "logged": "The request was logged. The service manager decides what happens next.",
    "refused": "The request was refused. Nothing was asked or sent.",
    "asked": "The service user was emailed to ask for their permission.",
    "given-sent": "Their permission was recorded, and the extract was emailed to the officer"
    " with a copy to them.",
    "given-queued": "Their permission was recorded. The extract will be emailed to the officer"
    " shortly, with a copy to them.",
    "given": "Their permission was recorded.",
    "refused-by-them": "Their refusal was recorded. Nothing is sent.",
    "unchanged": "Their answer changes nothing: it was recorded already.",
    "aside": "The email was set aside. Nothing was recorded from it.",
    "safeguarding-sent": "The safeguarding reason was recorded, and the extract was emailed to"
    " the officer. No copy went to the service user.",
    "safeguarding-queued": "The safeguarding reason was recorded. The extract will be emailed to"
    " the officer shortly. No copy goes to the service user.",
}
REASON_FIELD = "safeguarding_reason"
AUTH_WORDS = {
    AuthVerdict.PASS: "Passed: it came from the address shown.",
    AuthVerdict.FAIL: "Failed: it may not have come from the address shown.",
    AuthVerdict.NONE: "Not checked: it may not have come from the address shown.",
}
REPLY_REASONS = {
    "not_clearly_understood": "The bot could not be sure what it means.",
    "sender_not_invited": "It came from an address other than the one the service user was"
    " invited at.",
    "legal_answer_not_authenticated": "It did not pass the sender check, so it cannot give"
    " permission.",
    "legal_request_not_awaiting_answer": "The request was not waiting for an answer when it"
    " came (it was answered, refused or sent already).",
    "reference_and_thread_disagree": "It points to more than one request or meeting.",
}
READINGS = {"given": "They gave permission", "refused": "They refused permission"}


@dataclass(frozen=True)
class Reply:
    """A reply about the request that a person must read, decrypted for the page."""

    id: str
    received_at: datetime
    reason: str
    sender: str | None
    text: str | None
    auth: AuthVerdict
    from_invited_address: bool


async def _replies(store: Store, found: LegalRequest) -> list[Reply]:
    async with store.reading() as uow:
        records = LegalRequests(uow)
        person = await records.service_user(found.attendee_id)
        return [
            Reply(
                id=item.id,
                received_at=item.received_at,
                reason=item.reason,
                sender=uow.decrypt(item.sender_enc, "review_items", "sender", item.id),
                text=uow.decrypt(item.text_enc, "review_items", "text", item.id),
                auth=AuthVerdict(item.auth_verdict),
                from_invited_address=item.sender_index is not None
                and item.sender_index == person.email_index,
            )
            for item in await records.open_review_items(found.id)
        ]


async def _list_page(
    request: web.Request,
    values: Mapping[str, str],
    *,
    status: int = 200,
    problems: Mapping[str, str] | None = None,
) -> web.Response:
    async with request.config_dict[STAFF_SITE].store.reading() as uow:
        requests = await LegalRequests(uow).all()
    return page(
        request,
        "legal_requests.html.j2",
        status=status,
        requests=requests,
        status_words=LEGAL_STATUS_WORDS,
        values=values,
        problems=problems or {},
        notice=NOTICES.get(request.query.get("done", "")),
    )


async def legal_requests_page(request: web.Request) -> web.Response:
    return await _list_page(request, dict.fromkeys(FIELDS, ""))


async def log_request(request: web.Request) -> web.Response:
    posted = await request.post()
    form = {name: value for name in FIELDS if isinstance(value := posted.get(name, ""), str)}
    try:
        reference = await log_legal_request(
            request.config_dict[STAFF_SITE].store,
            parse_legal_request(form),
            request[STAFF_SESSION].object_id,
        )
    except LegalRequestProblems as refused:
        return await _list_page(request, form, status=400, problems=refused.problems)
    raise web.HTTPSeeOther(f"/tab/legal/{reference}?done=logged")


async def _detail_page(
    request: web.Request,
    reference: str,
    *,
    status: int = 200,
    notice: str | None = None,
    problem: str | None = None,
    reason_problem: str | None = None,
    typed_reason: str = "",
) -> web.Response:
    store = request.config_dict[STAFF_SITE].store
    try:
        async with store.reading() as uow:
            found = await LegalRequests(uow).get(reference)
    except LegalRequestNotFound:
        return not_found(request, NO_LEGAL_REQUEST)
    return page(
        request,
        "legal_request.html.j2",
        status=status,
        legal=found,
        status_words=LEGAL_STATUS_WORDS,
        replies=await _replies(store, found),
        reply_reasons=REPLY_REASONS,
        auth_words=AUTH_WORDS,
        readings=READINGS,
        notice=notice,
        problem=problem,
        may_override=may_override(RequestStatus(found.status)),
        not_askable=disposal_words(found),
        reason_field=REASON_FIELD,
        reason_problem=reason_problem,
        typed_reason=typed_reason,
    )


async def legal_request_page(request: web.Request) -> web.Response:
    return await _detail_page(
        request,
        request.match_info["reference"],
        notice=NOTICES.get(request.query.get("done", "")),
    )


async def read_legal_reply(request: web.Request) -> web.Response:
    """The manager records what a reply says (permission given or refused) or sets it aside;
    with permission the extract is sent at once, or by the job if the mailbox fails."""
    refusal = refused_unless_manager(request)
    if refusal is not None:
        return refusal
    site = request.config_dict[STAFF_SITE]
    reference = request.match_info["reference"]
    item_id = request.match_info["item_id"]
    reading = (await request.post()).get("reading")
    manager = request[STAFF_SESSION].object_id
    try:
        if reading == "aside":
            await set_reply_aside(site.store, reference, item_id, manager)
            done = "aside"
        elif reading in READINGS:
            read = await read_reply(
                site.store, reference, item_id, manager, agreed=reading == "given"
            )
            done = await _after_reading(request, reference, read.status, read.extract_job)
        else:
            return await _detail_page(
                request,
                reference,
                status=400,
                problem="Choose what the email says: they gave permission, they refused it,"
                " or set it aside.",
            )
    except LegalRequestNotFound:
        return not_found(request, NO_LEGAL_REQUEST)
    except AnswerRefused as refused:
        return await _detail_page(request, reference, status=409, problem=str(refused))
    raise web.HTTPSeeOther(f"/tab/legal/{reference}?done={done}")


async def record_safeguarding(request: web.Request) -> web.Response:
    """The manager records a safeguarding reason to send without permission (a typed reason is
    required: without one the form comes back, as typed, and nothing is recorded); the extract
    goes to the officer at once, or by the job if the mailbox fails."""
    refusal = refused_unless_manager(request)
    if refusal is not None:
        return refusal
    site = request.config_dict[STAFF_SITE]
    reference = request.match_info["reference"]
    typed = (await request.post()).get(REASON_FIELD, "")
    typed = typed if isinstance(typed, str) else ""
    try:
        reason = parse_reason(typed)
    except OverrideProblem as problem:
        return await _detail_page(
            request, reference, status=400, reason_problem=str(problem), typed_reason=typed
        )
    try:
        job = await override_for_safeguarding(
            site.store, reference, reason, request[STAFF_SESSION].object_id
        )
    except LegalRequestNotFound:
        return not_found(request, NO_LEGAL_REQUEST)
    except OverrideProblem as problem:
        return await _detail_page(request, reference, status=409, problem=str(problem))
    done = "safeguarding-queued"
    clients = request.config_dict[TENANT_ACCESS].clients
    if clients is not None:
        async with site.store.reading() as uow:
            request_id = (await LegalRequests(uow).get(reference)).id
        extracts = LegalExtracts(
            site.store, clients.mailbox, request.config_dict[SETTINGS_KEY].service
        )
        if await extracts.send_now(request_id, job):
            done = "safeguarding-sent"
    raise web.HTTPSeeOther(f"/tab/legal/{reference}?done={done}")


async def _after_reading(
    request: web.Request, reference: str, status: RequestStatus | None, job: str | None
) -> str:
    """Send the extract now if the reading permits it; the notice to show."""
    if status is RequestStatus.PERMISSION_REFUSED:
        return "refused-by-them"
    if status is None:
        return "unchanged"
    if job is None:
        return "given"
    clients = request.config_dict[TENANT_ACCESS].clients
    if clients is None:
        return "given-queued"
    site = request.config_dict[STAFF_SITE]
    async with site.store.reading() as uow:
        request_id = (await LegalRequests(uow).get(reference)).id
    extracts = LegalExtracts(site.store, clients.mailbox, request.config_dict[SETTINGS_KEY].service)
    return "given-sent" if await extracts.send_now(request_id, job) else "given-queued"


async def decide_request(request: web.Request) -> web.Response:
    refusal = refused_unless_manager(request)
    if refusal is not None:
        return refusal
    site = request.config_dict[STAFF_SITE]
    reference = request.match_info["reference"]
    decision = (await request.post()).get("decision")
    manager = request[STAFF_SESSION].object_id
    try:
        if decision == "refuse":
            await refuse_legal_request(site.store, reference, manager)
            done = "refused"
        elif decision == "ask":
            clients = request.config_dict[TENANT_ACCESS].clients
            if clients is None:
                return await _decision_problem(
                    request,
                    reference,
                    503,
                    "The bot is not connected to Microsoft 365, so no one could be emailed."
                    " Nothing was decided. Try again later.",
                )
            await ask_permission(
                site.store,
                clients.mailbox,
                request.config_dict[SETTINGS_KEY].service,
                reference,
                manager,
            )
            done = "asked"
        else:
            return await _decision_problem(
                request, reference, 400, "Choose to refuse the request or to ask permission."
            )
    except LegalRequestNotFound:
        return not_found(request, NO_LEGAL_REQUEST)
    except AlreadyDecided:
        return await _decision_problem(
            request, reference, 409, "The request was decided already: nothing more was done."
        )
    except PermissionNotAskable as refused:
        return await _decision_problem(request, reference, 409, str(refused))
    except GRAPH_FAILURES:
        return await _decision_problem(
            request,
            reference,
            502,
            "The email asking permission could not be sent (the bot's log says why)."
            " Nothing was decided. Try again.",
        )
    raise web.HTTPSeeOther(f"/tab/legal/{reference}?done={done}")


async def _decision_problem(
    request: web.Request, reference: str, status: int, problem: str
) -> web.Response:
    return await _detail_page(request, reference, status=status, problem=problem)
