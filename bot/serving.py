"""The entry points that serve the bot: `serving_app` for `iass-bot serve` (and, for
`make run`, the sandbox tenant beside it), built by the composition root (`bot.bootstrap`).
`gunicorn_app` is the same
application for gunicorn with aiohttp's worker, as Microsoft's Python bot template serves on
App Service for Linux (docs/deploy.md has the start command).

With `sandbox=True` the seeded sandbox tenant is served on the next port up and the bot is
pointed at it (tenant ids, secrets, the consent mailbox and the bot's endpoints), so a
newcomer needs no Microsoft 365 tenant. Both are published on `localhost`, so the sign-in
cookies of the staff pages work across the two.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web
from pydantic import SecretStr

from bot.bootstrap import Configuration, build_application
from bot.config import Settings, TenantSettings
from bot.telemetry import configure_logging

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
    """The application to serve, built by the composition root (`bot.bootstrap`); with
    `sandbox`, pointed at the sandbox tenant served beside it. `ValueError` names a missing or
    malformed key setting."""
    tenant = sandbox_tenant(settings.port) if sandbox else None
    app = build_application(Configuration.read(settings, tenant))
    if tenant is not None:
        _serve_sandbox(app, host, settings.port, tenant)
    return app
