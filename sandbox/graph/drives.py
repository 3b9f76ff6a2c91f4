"""Graph OneDrive routes for files shared in chats: resolve a sharing URL
(`/shares/u!{base64url(url)}/driveItem`), read an item and its permissions, and revoke a
sharing permission (`DELETE .../permissions/{id}`; inherited ones cannot be removed)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from aiohttp import web

from sandbox.app_keys import TENANT
from sandbox.files import DriveItem, Grantee, ItemPermission
from sandbox.graph.errors import GraphError
from sandbox.graph.protection import Denial, GraphRouter
from sandbox.graph_time import graph_datetime

READ_ROLES = frozenset(
    {"Files.Read.All", "Files.ReadWrite.All", "Sites.Read.All", "Sites.ReadWrite.All"}
)
WRITE_ROLES = frozenset({"Files.ReadWrite.All", "Sites.ReadWrite.All"})
DENIAL = Denial(403, "accessDenied", "Access denied")


def share_id(url: str) -> str:
    """The `u!` share id Graph accepts for a sharing URL."""
    return "u!" + base64.urlsafe_b64encode(url.encode()).rstrip(b"=").decode("ascii")


def _url_of_share(share: str) -> str:
    if not share.startswith("u!"):
        raise GraphError(400, "invalidRequest", "The sandbox accepts only u! encoded sharing URLs.")
    encoded = share[2:]
    try:
        return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError) as error:
        raise GraphError(400, "invalidRequest", "Invalid shares key.") from error


def _identity(grantee: Grantee) -> dict[str, Any]:
    return {
        "user": {"id": grantee.user_id, "displayName": grantee.display_name, "email": grantee.email}
    }


def item_resource(item: DriveItem) -> dict[str, Any]:
    shared = [p for p in item.permissions if p.link_scope]
    resource: dict[str, Any] = {
        "id": item.id,
        "name": item.name,
        "eTag": item.etag,
        "cTag": item.etag.replace('"{', '"c:{'),
        "size": len(item.content),
        "webUrl": item.web_url,
        "createdDateTime": graph_datetime(item.created_at),
        "lastModifiedDateTime": graph_datetime(item.created_at),
        "createdBy": _identity(item.created_by),
        "lastModifiedBy": _identity(item.created_by),
        "parentReference": {
            "driveType": "business",
            "driveId": item.drive_id,
            "id": item.parent_id,
            "path": item.parent_path,
        },
        "file": {"mimeType": item.mime_type},
    }
    if shared:
        resource["shared"] = {"scope": shared[0].link_scope}
    return resource


def permission_resource(item: DriveItem, permission: ItemPermission) -> dict[str, Any]:
    resource: dict[str, Any] = {"id": permission.id, "roles": list(permission.roles)}
    if permission.link_url is not None:
        resource |= {
            "link": {
                "scope": permission.link_scope,
                "type": permission.link_type,
                "webUrl": permission.link_url,
                "preventsDownload": False,
            },
            "hasPassword": False,
            "shareId": share_id(permission.link_url),
            "grantedToIdentitiesV2": [_identity(g) for g in permission.granted_to],
            "grantedToIdentities": [_identity(g) for g in permission.granted_to],
        }
    else:
        resource |= {
            "grantedToV2": _identity(permission.granted_to[0]),
            "grantedTo": _identity(permission.granted_to[0]),
        }
    if permission.inherited:
        resource["inheritedFrom"] = {"driveId": item.drive_id, "path": "/drive/root:"}
    return resource


def _item(request: web.Request) -> DriveItem:
    drive = request.config_dict[TENANT].files.drive(request.match_info["drive"])
    item = drive.items.get(request.match_info["item"]) if drive is not None else None
    if item is None:
        raise GraphError(404, "itemNotFound", "The resource could not be found.")
    return item


async def shared_drive_item(request: web.Request) -> web.Response:
    url = _url_of_share(request.match_info["share"])
    item = request.config_dict[TENANT].files.item_at_url(url)
    if item is None:
        raise GraphError(
            404,
            "itemNotFound",
            "The sharing link no longer exists, or you do not have permission to access it.",
        )
    return web.json_response(item_resource(item))


async def get_item(request: web.Request) -> web.Response:
    return web.json_response(item_resource(_item(request)))


async def list_permissions(request: web.Request) -> web.Response:
    item = _item(request)
    return web.json_response({"value": [permission_resource(item, p) for p in item.permissions]})


async def delete_permission(request: web.Request) -> web.Response:
    item = _item(request)
    if_match = request.headers.get("If-Match")
    if if_match is not None and if_match != item.etag:
        raise GraphError(
            412, "preconditionFailed", "The resource has changed since the caller last read it."
        )
    permission = item.permission(request.match_info["permission"])
    if permission is None:
        raise GraphError(404, "itemNotFound", "The resource could not be found.")
    if permission.inherited:
        raise GraphError(
            400,
            "invalidRequest",
            "Only sharing permissions that are not inherited can be deleted.",
        )
    item.permissions.remove(permission)
    item.version += 1
    return web.Response(status=204)


def add_drive_routes(graph: GraphRouter) -> None:
    graph.add(
        "GET", "/shares/{share}/driveItem", shared_drive_item, roles=READ_ROLES, denial=DENIAL
    )
    graph.add("GET", "/drives/{drive}/items/{item}", get_item, roles=READ_ROLES, denial=DENIAL)
    graph.add(
        "GET",
        "/drives/{drive}/items/{item}/permissions",
        list_permissions,
        roles=READ_ROLES,
        denial=DENIAL,
    )
    graph.add(
        "DELETE",
        "/drives/{drive}/items/{item}/permissions/{permission}",
        delete_permission,
        roles=WRITE_ROLES,
        denial=DENIAL,
    )
