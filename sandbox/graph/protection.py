"""What every Graph request goes through: a request id, the added latency fault, the bearer
token check (signature, audience, issuer, lifetime, tenant, known app), the route's required
application permission, then the queued request faults, before its handler runs. A PATCH
the `ignore_writes` fault takes is answered by the GET handler of the same path (the resource
as it stands; every PATCH route here has one), so nothing changes.

A route lists the application permissions (`roles`) any one of which allows it, and how the
service behind it words the refusal (Outlook, Teams and SharePoint answer differently)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import jwt
from aiohttp import web
from aiohttp.typedefs import Handler

from sandbox.app_keys import TENANT
from sandbox.faults import RequestFault
from sandbox.graph.errors import CLIENT_REQUEST_ID, REQUEST_ID, GraphError, error_response
from sandbox.ids import new_guid
from sandbox.registration import AppRegistration
from sandbox.tenant import GRAPH_APP_ID, GRAPH_RESOURCE, Tenant

TOKEN_CLOCK_SKEW_SECONDS = 300
WWW_AUTHENTICATE = (
    'Bearer realm="", '
    'authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", '
    f'client_id="{GRAPH_APP_ID}"'
)
_SERVER_ERRORS = {
    500: ("generalException", "An unspecified error has occurred."),
    502: ("BadGateway", "The service is temporarily unreachable."),
    503: ("serviceNotAvailable", "The service is temporarily unavailable. Try again later."),
    504: ("GatewayTimeout", "The operation timed out."),
}


@dataclass(frozen=True, slots=True)
class Caller:
    app: AppRegistration
    roles: frozenset[str]


@dataclass(frozen=True, slots=True)
class Denial:
    """How a service refuses a caller without the permission; `{roles}` in the message is
    replaced with the permissions that would do."""

    status: int
    code: str
    message: str


CALLER = web.RequestKey("sandbox_graph_caller", Caller)


def caller_of(request: web.Request) -> Caller:
    return request[CALLER]


def _unauthenticated(message: str) -> GraphError:
    return GraphError(
        401, "InvalidAuthenticationToken", message, {"WWW-Authenticate": WWW_AUTHENTICATE}
    )


def authenticate(tenant: Tenant, authorization: str) -> Caller:
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise _unauthenticated("Access token is empty.")
    try:
        claims = tenant.signing_key.verify(
            token,
            audiences=(GRAPH_RESOURCE, GRAPH_APP_ID),
            issuer=tenant.v1_issuer,
            leeway_seconds=TOKEN_CLOCK_SKEW_SECONDS,
        )
    except jwt.ExpiredSignatureError as error:
        raise _unauthenticated("Lifetime validation failed, the token is expired.") from error
    except jwt.InvalidAudienceError as error:
        raise _unauthenticated("Access token validation failure. Invalid audience.") from error
    except jwt.InvalidTokenError as error:
        raise _unauthenticated("Access token validation failure.") from error
    app = tenant.app(str(claims.get("appid", "")))
    if claims.get("tid") != tenant.tenant_id or app is None:
        raise _unauthenticated("Access token validation failure. Invalid tenant or application.")
    roles = claims.get("roles")
    held = roles if isinstance(roles, list) else []
    return Caller(app, frozenset(role for role in held if isinstance(role, str)))


def _fault_error(fault: RequestFault) -> GraphError:
    if fault.status == 429:
        return GraphError(
            429,
            "TooManyRequests",
            "Too many requests. Retry after the number of seconds in the Retry-After header.",
            {"Retry-After": str(fault.retry_after_seconds or 1)},
        )
    code, message = _SERVER_ERRORS.get(fault.status, ("generalException", "Server error."))
    headers = {"Retry-After": str(fault.retry_after_seconds)} if fault.retry_after_seconds else {}
    return GraphError(fault.status, code, message, headers)


class GraphRouter:
    """Adds Graph routes to the `/v1.0` application, each behind the token and permission
    check and the request faults."""

    def __init__(self, app: web.Application, tenant: Tenant) -> None:
        self._app = app
        self._tenant = tenant
        self._readers: dict[str, Handler] = {}

    def add(
        self,
        method: str,
        path: str,
        handler: Handler,
        *,
        roles: frozenset[str] | None,
        denial: Denial,
    ) -> None:
        """`roles`: the application permissions any one of which lets a caller in; None when
        the handler decides (resource-specific consent)."""
        if method == "GET":
            self._readers[path] = handler
        self._app.router.add_route(method, path, self._protected(handler, roles, denial, path))

    def _protected(
        self, handler: Handler, roles: frozenset[str] | None, denial: Denial, path: str
    ) -> Handler:
        tenant = self._tenant
        readers = self._readers

        async def protected(request: web.Request) -> web.StreamResponse:
            caller = authenticate(tenant, request.headers.get("Authorization", ""))
            if roles is not None and not caller.roles & roles:
                message = denial.message.replace("{roles}", ", ".join(sorted(roles)))
                raise GraphError(denial.status, denial.code, message)
            request[CALLER] = caller
            fault = tenant.faults.take_request_fault(request.method, request.path)
            if fault is not None and fault.unapplied:
                return await readers[path](request)
            if fault is not None:
                raise _fault_error(fault)
            return await handler(request)

        return protected


@web.middleware
async def graph_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Request ids on every response, the latency fault, and Graph-shaped errors."""
    tenant = request.config_dict[TENANT]
    request[REQUEST_ID] = new_guid()
    request[CLIENT_REQUEST_ID] = request.headers.get("client-request-id", request[REQUEST_ID])
    if tenant.faults.latency_seconds > 0:
        await asyncio.sleep(tenant.faults.latency_seconds)
    try:
        response = await handler(request)
    except GraphError as raised:
        response = error_response(request, raised, tenant.now())
    except web.HTTPNotFound:
        segment = request.path.rstrip("/").rsplit("/", 1)[-1]
        unknown = GraphError(400, "BadRequest", f"Resource not found for the segment '{segment}'.")
        response = error_response(request, unknown, tenant.now())
    except web.HTTPMethodNotAllowed:
        refused = GraphError(
            405,
            "Request_BadRequest",
            "Specified HTTP method is not allowed for the request target.",
        )
        response = error_response(request, refused, tenant.now())
    response.headers["request-id"] = request[REQUEST_ID]
    response.headers["client-request-id"] = request[CLIENT_REQUEST_ID]
    return response
