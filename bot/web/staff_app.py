"""The staff pages as two aiohttp sub-applications with their own middlewares: `/tab` (the
pages, signed-in staff only) and `/auth` (sign-in, its callback, Teams single sign-on,
sign-out).

Keeping them off the root application means middleware for the bot's own endpoints (the
Agents SDK's JWT check, on its own sub-application) never applies to staff pages, and the
staff session and CSRF check never apply to the bot's endpoints. (Security headers go on every
response, from the root application: `bot.web.security_headers`.)"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from aiohttp import web
from aiohttp.typedefs import Middleware

from bot.web.auth_routes import callback, sign_in, sign_out, signed_out
from bot.web.cancel_page import cancel
from bot.web.csrf import csrf_middleware
from bot.web.edit_page import edit_form, save_edit
from bot.web.home import home
from bot.web.legal_pages import (
    decide_request,
    legal_request_page,
    legal_requests_page,
    log_request,
    read_legal_reply,
    record_safeguarding,
)
from bot.web.liaison_page import liaison_form, save_liaison
from bot.web.meeting_page import meeting_page
from bot.web.pages import SERVICE_NAME, message_page
from bot.web.recording_alerts import record_outcome
from bot.web.review_page import confirm_item, reject_item, review_queue
from bot.web.safeguarding import set_safeguarding_hold
from bot.web.schedule_page import new_meeting_form, schedule
from bot.web.site import CALLBACK_PATH, STAFF_SITE, StaffSite
from bot.web.staff_guard import require_staff, sessions_unavailable
from bot.web.statistics_page import statistics_csv, statistics_page
from bot.web.subject_access_page import (
    download_report,
    find,
    send_report,
    subject_access_form,
)
from bot.web.teams_tab import TEAMS_SSO_PATH, teams_sso

STATIC_DIR = Path(__file__).parent / "static"
UNAVAILABLE_REASON = web.AppKey("unavailable_reason", str)


def _sub_app(service_name: str, middlewares: Iterable[Middleware]) -> web.Application:
    app = web.Application(middlewares=tuple(middlewares))
    app[SERVICE_NAME] = service_name
    return app


def mount_staff_pages(root: web.Application, site: StaffSite, service_name: str) -> None:
    tab = _sub_app(
        service_name,
        (sessions_unavailable, site.sessions.middleware(), require_staff, csrf_middleware()),
    )
    tab[STAFF_SITE] = site
    tab.router.add_get("", home)
    tab.router.add_get("/meetings/new", new_meeting_form)
    tab.router.add_post("/meetings/new", schedule)
    tab.router.add_get("/meetings/{reference}", meeting_page)
    tab.router.add_post("/meetings/{reference}/safeguarding", set_safeguarding_hold)
    tab.router.add_post("/meetings/{reference}/recordings/{artefact}", record_outcome)
    tab.router.add_get("/meetings/{reference}/edit", edit_form)
    tab.router.add_post("/meetings/{reference}/edit", save_edit)
    tab.router.add_post("/meetings/{reference}/cancel", cancel)
    tab.router.add_get("/meetings/{reference}/liaison", liaison_form)
    tab.router.add_post("/meetings/{reference}/liaison", save_liaison)
    tab.router.add_get("/review", review_queue)
    tab.router.add_get("/legal", legal_requests_page)
    tab.router.add_post("/legal", log_request)
    tab.router.add_get("/legal/{reference}", legal_request_page)
    tab.router.add_post("/legal/{reference}/decision", decide_request)
    tab.router.add_post("/legal/{reference}/replies/{item_id}", read_legal_reply)
    tab.router.add_post("/legal/{reference}/safeguarding", record_safeguarding)
    tab.router.add_get("/subject-access", subject_access_form)
    tab.router.add_post("/subject-access", find)
    tab.router.add_post("/subject-access/send", send_report)
    tab.router.add_post("/subject-access/download", download_report)
    tab.router.add_get("/statistics", statistics_page)
    tab.router.add_get("/statistics.csv", statistics_csv)
    tab.router.add_post("/review/{item_id}/confirm", confirm_item)
    tab.router.add_post("/review/{item_id}/reject", reject_item)

    auth = _sub_app(
        service_name,
        (
            sessions_unavailable,
            site.sessions.middleware(),
            csrf_middleware(exempt_paths=frozenset({CALLBACK_PATH, TEAMS_SSO_PATH})),
        ),
    )
    auth[STAFF_SITE] = site
    auth.router.add_get("/sign-in", sign_in)
    auth.router.add_post("/callback", callback)
    auth.router.add_post("/teams-sso", teams_sso)
    auth.router.add_post("/sign-out", sign_out)
    auth.router.add_get("/signed-out", signed_out)

    root.add_subapp("/tab", tab)
    root.add_subapp("/auth", auth)
    root.router.add_static("/static", STATIC_DIR)

    async def close_http(_app: web.Application) -> None:
        site.http.close()

    root.on_cleanup.append(close_http)


async def _not_set_up(request: web.Request) -> web.Response:
    return message_page(
        request,
        status=503,
        title="The staff pages are not set up yet",
        paragraphs=(
            "Staff sign-in needs the bot's Microsoft 365 settings.",
            request.config_dict[UNAVAILABLE_REASON],
        ),
    )


def mount_unavailable_staff_pages(root: web.Application, reason: str, service_name: str) -> None:
    """Staff pages that say why they cannot be used (a missing setting), instead of a 404."""
    for prefix in ("/tab", "/auth"):
        placeholder = _sub_app(service_name, ())
        placeholder[UNAVAILABLE_REASON] = reason
        placeholder.router.add_route("*", "", _not_set_up)
        placeholder.router.add_route("*", "/{tail:.*}", _not_set_up)
        root.add_subapp(prefix, placeholder)
    root.router.add_static("/static", STATIC_DIR)
