"""Subject access on the staff pages (issue 17), for the service manager only (403 for other
staff): find what is held by email address, read it, send it to that address from the consent
mailbox as attachments, or download it.

Every request that carries the address is a POST, so the address never appears in a URL (nor
in a log or the browser's history); after sending, the page says so without it."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.ports.failures import GRAPH_FAILURES
from bot.services.subject_access import (
    HTML_TYPE,
    JSON_TYPE,
    AddressProblem,
    NothingHeld,
    TooLargeToEmail,
    download,
    parse_address,
    preview,
    send,
)
from bot.web.app_keys import SETTINGS_KEY, TENANT_ACCESS
from bot.web.manager_guard import refused_unless_manager
from bot.web.pages import page
from bot.web.session import STAFF_SESSION
from bot.web.site import STAFF_SITE
from consent_store.access_report import REPORT_HELPERS

logger = logging.getLogger(__name__)

FIELD = "email"
NOTHING_HELD = (
    "Nothing is held about that address. Check it is the address they were invited at or"
    " wrote to us from."
)
NOTICES = {"sent": "The report was sent, with its two files attached."}


def _form_page(
    request: web.Request, typed: str, *, status: int = 200, problem: str | None = None
) -> web.Response:
    return page(
        request,
        "subject_access.html.j2",
        status=status,
        values={FIELD: typed},
        errors={FIELD: problem} if problem else {},
        report=None,
        problem=None,
        notice=NOTICES.get(request.query.get("done", "")),
    )


async def _typed(request: web.Request) -> str:
    value = (await request.post()).get(FIELD, "")
    return value if isinstance(value, str) else ""


async def subject_access_form(request: web.Request) -> web.Response:
    refusal = refused_unless_manager(request)
    if refusal is not None:
        return refusal
    return _form_page(request, "")


async def _report_page(
    request: web.Request, address: str, *, status: int = 200, problem: str | None = None
) -> web.Response:
    report = await preview(
        request.config_dict[STAFF_SITE].store, address, request[STAFF_SESSION].object_id
    )
    return page(
        request,
        "subject_access.html.j2",
        status=status,
        values={FIELD: address},
        errors={},
        report=report,
        problem=problem,
        notice=None,
        **REPORT_HELPERS,
    )


async def find(request: web.Request) -> web.Response:
    refusal = refused_unless_manager(request)
    if refusal is not None:
        return refusal
    typed = await _typed(request)
    try:
        return await _report_page(request, parse_address(typed))
    except AddressProblem as problem:
        return _form_page(request, typed, status=400, problem=str(problem))
    except NothingHeld:
        return _form_page(request, typed, status=404, problem=NOTHING_HELD)


async def download_report(request: web.Request) -> web.StreamResponse:
    refusal = refused_unless_manager(request)
    if refusal is not None:
        return refusal
    typed = await _typed(request)
    try:
        files = await download(
            request.config_dict[STAFF_SITE].store,
            parse_address(typed),
            request[STAFF_SESSION].object_id,
        )
    except AddressProblem as problem:
        return _form_page(request, typed, status=400, problem=str(problem))
    except NothingHeld:
        return _form_page(request, typed, status=404, problem=NOTHING_HELD)
    as_data = (await request.post()).get("format") == "json"
    return web.Response(
        body=files.json if as_data else files.html,
        content_type=JSON_TYPE if as_data else HTML_TYPE,
        charset="utf-8",
        headers={
            "Content-Disposition": (
                f'attachment; filename="{files.name("json" if as_data else "html")}"'
            )
        },
    )


async def send_report(request: web.Request) -> web.Response:
    refusal = refused_unless_manager(request)
    if refusal is not None:
        return refusal
    typed = await _typed(request)
    try:
        address = parse_address(typed)
    except AddressProblem as problem:
        return _form_page(request, typed, status=400, problem=str(problem))
    clients = request.config_dict[TENANT_ACCESS].clients
    try:
        if clients is None:
            return await _report_page(
                request,
                address,
                status=503,
                problem="The bot is not connected to Microsoft 365, so the report could not be"
                " emailed. Nothing was sent. Try again later, or download the report.",
            )
        await send(
            request.config_dict[STAFF_SITE].store,
            clients.mailbox,
            request.config_dict[SETTINGS_KEY].service,
            address,
            request[STAFF_SESSION].object_id,
        )
    except NothingHeld:
        return _form_page(request, typed, status=404, problem=NOTHING_HELD)
    except TooLargeToEmail:
        return await _report_page(
            request,
            address,
            status=413,
            problem="The report is too large to send by email (3 MB or more with its files)."
            " Nothing was sent. Download it and send it another way.",
        )
    except GRAPH_FAILURES as failure:
        logger.warning("subject access report not sent: %s", type(failure).__name__)
        return await _report_page(
            request,
            address,
            status=502,
            problem="The email could not be sent. Nothing was sent. Try again, or download the"
            " report and send it another way.",
        )
    raise web.HTTPSeeOther("/tab/subject-access?done=sent")
