"""The sandbox as one aiohttp application: Entra ID at `/{tenant}/...`, Graph at `/v1.0`,
the sandbox's pages and control API at `/sandbox`. Serve it alone or mount it as a
sub-application; URLs it hands out follow the mount prefix."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from sandbox.app_keys import NOTIFIER, PUBLIC_ORIGIN, TENANT
from sandbox.control.api import add_control_api_routes, control_errors
from sandbox.control.pages import add_page_routes
from sandbox.entra.routes import add_entra_routes
from sandbox.graph.app import create_graph_app
from sandbox.notifier import ChangeNotifier
from sandbox.tenant import Tenant


async def _notifier_running(app: web.Application) -> AsyncIterator[None]:
    await app[NOTIFIER].start()
    yield
    await app[NOTIFIER].stop()


def create_sandbox_app(tenant: Tenant, *, public_origin: str | None = None) -> web.Application:
    """`public_origin` (e.g. `http://sandbox.local:8123`) is the origin browsers and clients
    should use in the URLs the sandbox publishes; by default, the origin each request came
    in on."""
    app = web.Application()
    app[TENANT] = tenant
    app[NOTIFIER] = ChangeNotifier(tenant)
    if public_origin is not None:
        app[PUBLIC_ORIGIN] = public_origin.rstrip("/")
    app.add_subapp("/v1.0", create_graph_app(tenant))
    control = web.Application(middlewares=[control_errors])
    add_page_routes(control)
    add_control_api_routes(control)
    app.add_subapp("/sandbox", control)

    async def to_index(request: web.Request) -> web.Response:
        location = control.router["sandbox-index"].url_for()
        return web.Response(status=302, headers={"Location": str(location)})

    app.router.add_get("/", to_index)
    add_entra_routes(app)
    app.cleanup_ctx.append(_notifier_running)
    return app
