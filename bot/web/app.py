"""The aiohttp application the bot serves."""

from __future__ import annotations

from aiohttp import web

from bot.config import Settings

SETTINGS_KEY = web.AppKey("settings", Settings)


async def healthz(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS_KEY]
    return web.json_response({"status": "ok", "service": settings.service.short_name})


def create_app(settings: Settings) -> web.Application:
    app = web.Application()
    app[SETTINGS_KEY] = settings
    app.router.add_get("/healthz", healthz)
    return app
