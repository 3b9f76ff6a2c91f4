"""The sandbox as one aiohttp application: Entra ID at `/{tenant}/...`, Graph at `/v1.0`, the
Bot Connector at `/connector`, the Bot Framework's and calling service's OpenID metadata at
`/login.botframework.com/...` and `/api.aps.skype.com/...`, chat-file downloads at
`/personal/...`, and the sandbox's pages and control API at `/sandbox`. Serve it alone or
mount it as a sub-application; URLs it hands out follow the mount prefix.

What it sends on its own (activities to the bot, comms notifications, change notifications)
goes out through services started and stopped with the application: `app[NOTIFIER]`,
`app[CALLING]`, `app[BOT_CHANNEL]`, and `app[TEAMS]` drives live meetings through them."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from sandbox.app_keys import BOT_CHANNEL, CALLING, NOTIFIER, PUBLIC_ORIGIN, TEAMS, TENANT
from sandbox.botframework.metadata import add_bot_framework_metadata_routes
from sandbox.calls.calling import CallingService
from sandbox.connector.app import create_connector_app
from sandbox.control.api import add_control_api_routes
from sandbox.control.meeting_actions import add_join_link_route
from sandbox.control.meeting_pages import add_meeting_page_routes
from sandbox.control.pages import add_page_routes
from sandbox.control.parsing import control_errors
from sandbox.control.teams_api import add_teams_control_routes, meeting_action_errors
from sandbox.downloads import add_download_routes
from sandbox.entra.routes import add_entra_routes
from sandbox.graph.app import create_graph_app
from sandbox.notifier import ChangeNotifier
from sandbox.teams.bot_channel import BotChannel
from sandbox.teams.meeting_driver import MeetingDriver
from sandbox.tenant import Tenant


async def _services_running(app: web.Application) -> AsyncIterator[None]:
    await app[NOTIFIER].start()
    await app[CALLING].start()
    await app[BOT_CHANNEL].start()
    yield
    await app[BOT_CHANNEL].stop()
    await app[CALLING].stop()
    await app[NOTIFIER].stop()


def create_sandbox_app(tenant: Tenant, *, public_origin: str | None = None) -> web.Application:
    """`public_origin` (e.g. `http://sandbox.local:8123`) is the origin browsers and clients
    should use in the URLs the sandbox publishes; by default, the origin each request came
    in on."""
    app = web.Application()
    app[TENANT] = tenant
    app[NOTIFIER] = ChangeNotifier(tenant)
    app[CALLING] = CallingService(tenant)
    app[BOT_CHANNEL] = BotChannel(tenant)
    app[TEAMS] = MeetingDriver(tenant, app[BOT_CHANNEL], app[CALLING])
    if public_origin is not None:
        app[PUBLIC_ORIGIN] = public_origin.rstrip("/")
    app.add_subapp("/v1.0", create_graph_app(tenant))
    app.add_subapp("/connector", create_connector_app())
    control = web.Application(middlewares=[control_errors, meeting_action_errors])
    add_page_routes(control)
    add_meeting_page_routes(control)
    add_control_api_routes(control)
    add_teams_control_routes(control)
    app.add_subapp("/sandbox", control)

    async def to_index(request: web.Request) -> web.Response:
        location = control.router["sandbox-index"].url_for()
        return web.Response(status=302, headers={"Location": str(location)})

    app.router.add_get("/", to_index)
    add_join_link_route(app, control)
    add_bot_framework_metadata_routes(app)
    add_download_routes(app)
    add_entra_routes(app)
    app.cleanup_ctx.append(_services_running)
    return app
