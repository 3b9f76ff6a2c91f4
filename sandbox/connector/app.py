"""The Bot Connector application, to be mounted at `/connector` under the sandbox application
(which holds the tenant); `{sandbox_url}/connector/` is the `serviceUrl` of every activity."""

from __future__ import annotations

from aiohttp import web

from sandbox.connector.conversations import add_conversation_routes
from sandbox.connector.meetings import add_meeting_routes
from sandbox.connector.members import add_member_routes
from sandbox.connector.protection import connector_middleware


def create_connector_app() -> web.Application:
    app = web.Application(middlewares=[connector_middleware])
    add_conversation_routes(app)
    add_meeting_routes(app)
    add_member_routes(app)
    return app
