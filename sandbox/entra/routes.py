"""Entra ID's routes: the v2.0 endpoints under `/{tenant}/` (OpenID configuration and signing
keys, `sandbox.entra.metadata`; the authorize endpoint and its sign-in page,
`sandbox.entra.authorize`; the token endpoint and its grants, `sandbox.entra.token_endpoint`),
the instance discovery endpoint msal consults, and App Service's managed identity endpoint
(`sandbox.entra.managed_identity`).
"""

from __future__ import annotations

from aiohttp import web

from sandbox.entra.authorize import authorize
from sandbox.entra.managed_identity import add_managed_identity_route
from sandbox.entra.metadata import instance_discovery, openid_configuration, signing_keys
from sandbox.entra.token_endpoint import token


def add_entra_routes(app: web.Application) -> None:
    add_managed_identity_route(app)
    app.router.add_get("/common/discovery/instance", instance_discovery)
    app.router.add_get(
        "/{tenant}/v2.0/.well-known/openid-configuration",
        openid_configuration,
        name="entra-openid-configuration",
    )
    app.router.add_get("/{tenant}/discovery/v2.0/keys", signing_keys, name="entra-keys")
    authorize_resource = app.router.add_resource(
        "/{tenant}/oauth2/v2.0/authorize", name="entra-authorize"
    )
    authorize_resource.add_route("GET", authorize)
    authorize_resource.add_route("POST", authorize)
    app.router.add_post("/{tenant}/oauth2/v2.0/token", token, name="entra-token")
