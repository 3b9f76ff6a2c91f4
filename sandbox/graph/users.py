"""Graph `GET /users/{id | userPrincipalName}`: a directory user's profile, `$select` honoured.

As in Graph: application permission User.ReadBasic.All or User.Read.All (or a wider
directory permission); without `$select` the default property set (with `id`) comes back,
with it only what was selected; an unknown user is a 404 `Request_ResourceNotFound`. A
guest's `mail` is their own outside address.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sandbox.app_keys import TENANT
from sandbox.directory import TenantUser
from sandbox.graph.errors import GraphError
from sandbox.graph.odata import project, selected
from sandbox.graph.protection import Denial, GraphRouter

READ_ROLES = frozenset(
    {
        "User.ReadBasic.All",
        "User.Read.All",
        "User.ReadWrite.All",
        "Directory.Read.All",
        "Directory.ReadWrite.All",
    }
)
DENIAL = Denial(
    403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."
)
USER_TYPE = "user"
DEFAULT_PROPERTIES = (
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
)
SELECTABLE_PROPERTIES = (*DEFAULT_PROPERTIES, "id", "userType")


def user_resource(user: TenantUser) -> dict[str, Any]:
    """Every property the sandbox knows of `user`, as Graph names them."""
    given, _, surname = user.display_name.partition(" ")
    return {
        "id": user.object_id,
        "businessPhones": [],
        "displayName": user.display_name,
        "givenName": given or None,
        "jobTitle": user.job_title or None,
        "mail": user.mail,
        "mobilePhone": None,
        "officeLocation": None,
        "preferredLanguage": "en-GB",
        "surname": surname or None,
        "userPrincipalName": user.user_principal_name,
        "userType": user.user_type,
    }


async def get_user(request: web.Request) -> web.Response:
    segment = request.match_info["user"]
    user = request.config_dict[TENANT].directory.user(segment)
    if user is None:
        raise GraphError(
            404,
            "Request_ResourceNotFound",
            f"Resource '{segment}' does not exist or one of its queried reference-property "
            "objects are not present.",
        )
    properties = selected(request, SELECTABLE_PROPERTIES, USER_TYPE)
    context = "users/$entity" if properties is None else f"users({','.join(properties)})/$entity"
    body = {
        "@odata.context": f"https://graph.microsoft.com/v1.0/$metadata#{context}",
        **project(user_resource(user), properties or (*DEFAULT_PROPERTIES, "id"), always=()),
    }
    return web.json_response(body)


def add_user_routes(graph: GraphRouter) -> None:
    graph.add("GET", "/users/{user}", get_user, roles=READ_ROLES, denial=DENIAL)
