"""The managed identity endpoint App Service gives an app (`IDENTITY_ENDPOINT`, with the
`IDENTITY_HEADER` secret), for the federated credential the bot's registration trusts.

As "REST endpoint reference" in "How to use managed identities for App Service and Azure
Functions" documents it (https://learn.microsoft.com/azure/app-service/overview-managed-identity#rest-endpoint-reference,
checked 2026-12-07): `GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=...` with
`client_id` (or `object_id`, `mi_res_id`) choosing a user-assigned identity and the header
`X-IDENTITY-HEADER`; the answer carries `access_token`, `expires_on` (seconds since the epoch,
as a string), `resource`, `token_type` and `client_id`. The sandbox issues tokens only for the
token-exchange audience `api://AzureADTokenExchange`, the one a federated identity credential on
an app registration accepts
(https://learn.microsoft.com/entra/workload-id/workload-identity-federation-config-app-trust-managed-identity);
Microsoft does not document the error body, so a refusal is a 400 with `statusCode` and
`message`, which msal reports as an error without a token."""

from __future__ import annotations

import hmac

from aiohttp import web

from sandbox.app_keys import TENANT
from sandbox.entra.app_credentials import TOKEN_EXCHANGE_AUDIENCE
from sandbox.ids import urlsafe_token

MANAGED_IDENTITY_PATH = "/msi/token"
TOKEN_LIFETIME_SECONDS = 86_399


def _refusal(status: int, message: str) -> web.Response:
    return web.json_response({"statusCode": status, "message": message}, status=status)


async def managed_identity_token(request: web.Request) -> web.Response:
    tenant = request.config_dict[TENANT]
    host = tenant.managed_identities
    presented = request.headers.get("X-IDENTITY-HEADER", "")
    if not hmac.compare_digest(presented.encode(), host.identity_header.encode()):
        return _refusal(401, "The X-IDENTITY-HEADER header is missing or wrong.")
    if request.query.get("api-version") != "2019-08-01":
        return _refusal(400, "api-version must be 2019-08-01.")
    resource = request.query.get("resource", "")
    if resource.removesuffix("/.default") != TOKEN_EXCHANGE_AUDIENCE:
        return _refusal(
            400, f"The sandbox issues managed identity tokens only for {TOKEN_EXCHANGE_AUDIENCE}."
        )
    identity = host.find(request.query.get("client_id"), request.query.get("object_id"))
    if identity is None:
        return _refusal(400, "No managed identity with that id is assigned to this app.")
    issued_at = int(tenant.now().timestamp())
    expires_on = issued_at + TOKEN_LIFETIME_SECONDS
    token = tenant.signing_key.sign(
        {
            "aud": TOKEN_EXCHANGE_AUDIENCE,
            "iss": tenant.v2_issuer,
            "sub": identity.object_id,
            "oid": identity.object_id,
            "azp": identity.client_id,
            "tid": tenant.tenant_id,
            "iat": issued_at,
            "nbf": issued_at,
            "exp": expires_on,
            "idtyp": "app",
            "uti": urlsafe_token(16),
            "ver": "2.0",
        }
    )
    return web.json_response(
        {
            "access_token": token,
            "expires_on": str(expires_on),
            "resource": resource,
            "token_type": "Bearer",
            "client_id": identity.client_id,
        }
    )


def add_managed_identity_route(app: web.Application) -> None:
    app.router.add_get(MANAGED_IDENTITY_PATH, managed_identity_token, name="managed-identity")
