"""The bot as `iass-bot serve` runs it: the store, the web application, the consent mailbox's
background work, and, for `make run`, the sandbox tenant beside it. `gunicorn_app` is the same
application for gunicorn with aiohttp's worker, as Microsoft's Python bot template serves on
App Service for Linux (docs/deploy.md has the start command).

With `sandbox=True` the seeded sandbox tenant is served on the next port up and the bot is
pointed at it (tenant ids, secrets, the consent mailbox and the bot's endpoints), so a
newcomer needs no Microsoft 365 tenant. Both are published on `localhost`, so the sign-in
cookies of the staff pages work across the two.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from aiohttp import web
from pydantic import SecretStr

from bot.config import Settings, TenantSettings
from bot.mailbox.runtime import attach_consent_mailbox, worker_id
from bot.meeting_runtime import LiveMeetings
from bot.recording_backstop_runtime import RecordingBackstopRuntime
from bot.telemetry import configure_logging
from bot.telemetry_export import attach_telemetry
from bot.web.app import create_app
from consent_store.unit_of_work import Store

log = logging.getLogger(__name__)

LOCAL_HOST_NAME = "localhost"


def sandbox_origin(port: int) -> str:
    """Where the sandbox is served beside the bot on `port`: the next port up."""
    return f"http://{LOCAL_HOST_NAME}:{port + 1}"


def sandbox_tenant(port: int) -> TenantSettings:
    """Tenant settings pointing at the sandbox served beside the bot on `port`, through the
    endpoint settings every deployment has (`sandbox.endpoints`)."""
    from sandbox.endpoints import tenant_endpoints
    from sandbox.seed import (
        BOT_CATALOG_APP_ID,
        BOT_CLIENT_ID,
        BOT_CLIENT_SECRET,
        CONSENT_MAILBOX,
        TENANT_ID,
    )

    return TenantSettings(
        tenant_id=TENANT_ID,
        bot_app_id=BOT_CLIENT_ID,
        bot_app_secret=SecretStr(BOT_CLIENT_SECRET),
        consent_mailbox=CONSENT_MAILBOX.mail,
        teams_catalog_app_id=BOT_CATALOG_APP_ID,
        public_url=f"http://{LOCAL_HOST_NAME}:{port}",
    ).model_copy(update=tenant_endpoints(sandbox_origin(port)))


def _serve_sandbox(app: web.Application, host: str, port: int, tenant: TenantSettings) -> None:
    origin = sandbox_origin(port)

    async def to_sandbox(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(f"{origin}/sandbox/")

    app.router.add_get("/sandbox", to_sandbox)

    async def run(_app: web.Application) -> AsyncIterator[None]:
        from sandbox import access_log
        from sandbox.app import create_sandbox_app
        from sandbox.seed import seeded_tenant

        seeded = seeded_tenant()
        seeded.bot_endpoint = f"{tenant.public_url}/api/messages"
        seeded.sandbox_url = origin
        runner = web.AppRunner(
            create_sandbox_app(seeded, public_origin=origin),
            access_log=access_log.LOGGER,
            access_log_class=access_log.RouteAccessLogger,
        )
        await runner.setup()
        await web.TCPSite(runner, host, port + 1).start()
        yield
        await runner.cleanup()

    app.cleanup_ctx.append(run)


async def gunicorn_app() -> web.Application:
    """The application from the environment's settings, for
    `gunicorn bot.serving:gunicorn_app --worker-class aiohttp.GunicornWebWorker`. gunicorn
    chooses the address (`--bind`); a missing or malformed setting stops the worker with its
    name in the log."""
    configure_logging()
    return serving_app(Settings())


def serving_app(
    settings: Settings, *, sandbox: bool = False, host: str = "127.0.0.1"
) -> web.Application:
    """The application to serve. `ValueError` names a missing or malformed key setting."""
    store = Store.open(settings.database_url, settings.key_ring())
    tenant = sandbox_tenant(settings.port) if sandbox else settings.tenant
    app = create_app(settings, store, tenant=tenant)
    attach_telemetry(app, store)

    async def to_staff_pages(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound("/tab")

    app.router.add_get("/", to_staff_pages)
    if sandbox:
        _serve_sandbox(app, host, settings.port, tenant)
    live = LiveMeetings(store, tenant, settings.service, worker_id())
    backstop = RecordingBackstopRuntime(store, tenant)
    backstop.attach(app)
    try:
        live.attach(app)
    except ValueError as error:
        log.warning("the bot is not taking part in meetings: %s", error)
        attach_consent_mailbox(app, store, tenant, settings.service, listeners=(backstop,))
    else:
        attach_consent_mailbox(app, store, tenant, settings.service, listeners=(live, backstop))

    async def close_store(_app: web.Application) -> None:
        await store.close()

    app.on_cleanup.append(close_store)
    return app
