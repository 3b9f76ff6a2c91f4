"""Requests for information for legal reasons (issue 17): any staff member logs one; only the
service manager decides it (refuse, or ask the service user's permission by email).

A form that cannot be kept is shown again with what was typed and each problem named; nothing
is half-created (the request and its meetings are kept in one transaction, or not at all)."""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from bot.ports.failures import GRAPH_FAILURES
from bot.services.legal_requests import (
    FIELDS,
    AlreadyDecided,
    LegalRequestProblems,
    ask_permission,
    log_legal_request,
    parse_legal_request,
    refuse_legal_request,
)
from bot.web.app_keys import SETTINGS_KEY, TENANT_ACCESS
from bot.web.manager_guard import refused_unless_manager
from bot.web.pages import Link, message_page, page
from bot.web.session import STAFF_SESSION
from bot.web.site import STAFF_SITE
from consent_store.legal_requests import LegalRequestNotFound, LegalRequests

STATUS_WORDS = {
    "logged": "Waiting for the service manager's decision",
    "refused_by_manager": "Refused by the service manager: nothing was asked or sent",
    "permission_asked": "The service user was asked for permission: nothing is sent unless"
    " they agree",
}
NOTICES = {
    "logged": "The request was logged. The service manager decides what happens next.",
    "refused": "The request was refused. Nothing was asked or sent.",
    "asked": "The service user was emailed to ask for their permission.",
}


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
        status_words=STATUS_WORDS,
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


def _not_found(request: web.Request) -> web.Response:
    return message_page(
        request,
        status=404,
        title="Legal request not found",
        paragraphs=("No legal request has that reference.",),
        link=Link("/tab/legal", "Back to legal requests"),
    )


async def legal_request_page(request: web.Request) -> web.Response:
    try:
        async with request.config_dict[STAFF_SITE].store.reading() as uow:
            found = await LegalRequests(uow).get(request.match_info["reference"])
    except LegalRequestNotFound:
        return _not_found(request)
    return page(
        request,
        "legal_request.html.j2",
        legal=found,
        status_words=STATUS_WORDS,
        notice=NOTICES.get(request.query.get("done", "")),
        problem=None,
    )


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
        return _not_found(request)
    except AlreadyDecided:
        return await _decision_problem(
            request, reference, 409, "The request was decided already: nothing more was done."
        )
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
    try:
        async with request.config_dict[STAFF_SITE].store.reading() as uow:
            found = await LegalRequests(uow).get(reference)
    except LegalRequestNotFound:
        return _not_found(request)
    return page(
        request,
        "legal_request.html.j2",
        status=status,
        legal=found,
        status_words=STATUS_WORDS,
        notice=None,
        problem=problem,
    )
