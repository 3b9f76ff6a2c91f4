"""The aiohttp application the bot serves: the health check, and, given a store, the staff
pages (also the Teams personal tab) on their own sub-applications (see `staff_app`).

Security headers go on every response, the sub-applications' included (`security_headers`);
a browser asking for a page that does not exist, or for a form's address, gets a page in words
with a way back (`error_pages`).

The bot's own endpoints (`/api/messages`, `/api/calls`) belong on a sub-application of their
own with the Agents SDK's JWT middleware; never add that middleware to this root application,
or it would apply to the staff pages as well."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.config import Settings, TenantSettings
from bot.graph.readiness import GraphTokenProbe
from bot.services.decision_events import DecisionEvents
from bot.web.accessibility import accessibility_statement
from bot.web.app_keys import DECISION_EVENTS, SETTINGS_KEY, TENANT_ACCESS, TenantAccess
from bot.web.error_pages import friendly_errors
from bot.web.pages import BRAND_COLOUR, SERVICE_NAME, brand_stylesheet
from bot.web.readiness import readiness
from bot.web.security_headers import security_headers
from bot.web.site import build_staff_site
from bot.web.staff_app import mount_staff_pages, mount_unavailable_staff_pages
from consent_store.unit_of_work import Clock, Store, utc_now

logger = logging.getLogger(__name__)


async def healthz(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS_KEY]
    return web.json_response({"status": "ok", "service": settings.service.short_name})


def create_app(
    settings: Settings,
    store: Store | None = None,
    *,
    tenant: TenantSettings | None = None,
    clock: Clock = utc_now,
) -> web.Application:
    """The application. Without a store it serves the health check only; with one, also the
    readiness check (`/readyz`) and the staff pages. `tenant` defaults to `settings.tenant`;
    `clock` times sessions and token lifetimes."""
    app = web.Application(middlewares=[friendly_errors])
    app[SERVICE_NAME] = settings.service.short_name
    app[BRAND_COLOUR] = settings.service.brand_colour
    app.router.add_get("/brand.css", brand_stylesheet)
    app.router.add_get("/accessibility", accessibility_statement)
    app.on_response_prepare.append(security_headers((tenant or settings.tenant).public_url))
    app[SETTINGS_KEY] = settings
    app[DECISION_EVENTS] = DecisionEvents()
    app[TENANT_ACCESS] = TenantAccess()
    app.router.add_get("/healthz", healthz)
    if store is not None:
        graph = GraphTokenProbe(tenant or settings.tenant)
        app.router.add_get("/readyz", readiness(store, graph))

        async def close_graph_probe(_app: web.Application) -> None:
            await graph.close()

        app.on_cleanup.append(close_graph_probe)
        _add_staff_pages(app, store, tenant or settings.tenant, settings.service.short_name, clock)
    return app


def _add_staff_pages(
    app: web.Application, store: Store, tenant: TenantSettings, service_name: str, clock: Clock
) -> None:
    try:
        site = build_staff_site(tenant, store, clock)
    except ValueError as error:
        logger.warning("staff pages are not available: %s", error)
        mount_unavailable_staff_pages(app, str(error), service_name)
        return
    mount_staff_pages(app, site, service_name)
