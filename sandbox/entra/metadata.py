"""What an Entra ID tenant publishes about itself: the v2.0 OpenID configuration, its signing
keys and the instance discovery endpoint msal consults; and what every Entra endpoint under
`/{tenant}/` shares: the check that the path names this tenant, and the OpenID Connect scopes.

The OpenID configuration names the token endpoint on the real authority host (msal insists
on https there; the product's msal http client sends it to the sandbox), while the authorize
and keys endpoints are the sandbox's own reachable URLs, so a browser or a JWKS client needs
no rewriting.
"""

from __future__ import annotations

from aiohttp import web

from sandbox.app_keys import TENANT
from sandbox.entra.errors import EntraError, token_error_response
from sandbox.public_urls import public_url
from sandbox.tenant import GRAPH_RESOURCE, Tenant

OIDC_SCOPES = frozenset({"openid", "profile", "email", "offline_access"})
GRAPH_SCOPE_PREFIX = f"{GRAPH_RESOURCE}/"


def graph_scope_name(scope: str) -> str:
    return scope.removeprefix(GRAPH_SCOPE_PREFIX)


def tenant_named(request: web.Request) -> Tenant:
    tenant = request.config_dict[TENANT]
    segment = request.match_info["tenant"]
    if not tenant.is_named_by(segment):
        raise EntraError(
            400,
            "invalid_tenant",
            90002,
            f"Tenant '{segment}' not found. Check to make sure you have the correct tenant ID "
            "and are signing into the correct cloud.",
        )
    return tenant


async def openid_configuration(request: web.Request) -> web.Response:
    try:
        tenant = tenant_named(request)
    except EntraError as error:
        return token_error_response(error, request.config_dict[TENANT].now())
    authority = f"https://{tenant.authority_host}/{tenant.tenant_id}"
    parts = {"tenant": request.match_info["tenant"]}
    return web.json_response(
        {
            "token_endpoint": f"{authority}/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": [
                "client_secret_post",
                "private_key_jwt",
            ],
            "jwks_uri": public_url(request, "entra-keys", **parts),
            "response_modes_supported": ["query", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code"],
            "scopes_supported": sorted(OIDC_SCOPES),
            "issuer": tenant.v2_issuer,
            "request_uri_parameter_supported": False,
            "authorization_endpoint": public_url(request, "entra-authorize", **parts),
            "claims_supported": [
                "sub",
                "iss",
                "aud",
                "exp",
                "iat",
                "nbf",
                "nonce",
                "name",
                "oid",
                "preferred_username",
                "tid",
                "ver",
            ],
            "tenant_region_scope": "EU",
            "cloud_instance_name": "microsoftonline.com",
            "msgraph_host": "graph.microsoft.com",
        }
    )


async def signing_keys(request: web.Request) -> web.Response:
    try:
        tenant = tenant_named(request)
    except EntraError as error:
        return token_error_response(error, request.config_dict[TENANT].now())
    return web.json_response({"keys": [tenant.signing_key.jwk(tenant.v2_issuer)]})


async def instance_discovery(request: web.Request) -> web.Response:
    """`/common/discovery/instance`: msal asks it for the authority host's aliases, also
    after a failed token request. The sandbox has no aliases."""
    tenant = request.config_dict[TENANT]
    host = tenant.authority_host
    return web.json_response(
        {
            "tenant_discovery_endpoint": (
                f"https://{host}/{tenant.tenant_id}/v2.0/.well-known/openid-configuration"
            ),
            "api-version": "1.1",
            "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}],
        }
    )
