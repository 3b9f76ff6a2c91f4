"""The Graph v1.0 application: every route behind the token, permission and fault checks."""

from __future__ import annotations

from aiohttp import web

from sandbox.graph.app_catalogs import add_app_catalog_routes
from sandbox.graph.chat_messages import add_chat_message_routes
from sandbox.graph.communications import add_communications_routes
from sandbox.graph.drives import add_drive_routes
from sandbox.graph.events import add_event_routes
from sandbox.graph.mail_read import add_mail_read_routes
from sandbox.graph.mail_send import add_send_mail_routes
from sandbox.graph.online_meetings import add_online_meeting_routes
from sandbox.graph.protection import GraphRouter, graph_middleware
from sandbox.graph.recordings import add_recording_routes
from sandbox.graph.subscriptions import add_subscription_routes
from sandbox.graph.teams_apps import add_installed_app_routes
from sandbox.graph.users import add_user_routes
from sandbox.tenant import Tenant


def create_graph_app(tenant: Tenant) -> web.Application:
    """To be mounted at `/v1.0` under the sandbox application (which holds the tenant)."""
    app = web.Application(middlewares=[graph_middleware])
    graph = GraphRouter(app, tenant)
    add_online_meeting_routes(graph)
    add_recording_routes(graph)
    add_event_routes(graph)
    add_send_mail_routes(graph)
    add_mail_read_routes(graph)
    add_subscription_routes(graph)
    add_installed_app_routes(graph)
    add_chat_message_routes(graph)
    add_drive_routes(graph)
    add_communications_routes(graph)
    add_user_routes(graph)
    add_app_catalog_routes(graph)
    return app
