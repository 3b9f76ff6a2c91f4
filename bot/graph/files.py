"""Files posted in Teams chats, through Graph: find a posted file's drive item from its URL, see
how it is shared, and revoke the sharing that gives the chat access to it.

The drive item and its permissions are read as JSON rather than as msgraph-sdk models: building
a model from a Graph entity runs thousands of imports each time (several milliseconds), which
was most of the cost of a file posted in a chat.

A file posted in a chat lives in the poster's OneDrive and is shared with the chat's members
by a sharing permission of its own; the owner's permission is inherited and stays. Application
permission Files.ReadWrite.All.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

from bot.graph.answers import answer_json
from bot.ports.files import DriveItemRef, SharingPermission, UnexpectedDriveItem

if TYPE_CHECKING:
    from msgraph.generated.drives.item.items.item.permissions.permissions_request_builder import (
        PermissionsRequestBuilder,
    )
    from msgraph.graph_service_client import GraphServiceClient


def share_id(url: str) -> str:
    """The `u!` id Graph's `/shares/{id}` accepts for a sharing or web URL."""
    return "u!" + base64.urlsafe_b64encode(url.encode()).rstrip(b"=").decode("ascii")


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _sharing_permission(permission: object) -> SharingPermission | None:
    if not isinstance(permission, dict) or not _text(permission.get("id")):
        return None
    link = permission.get("link")
    link_url = _text(link.get("webUrl")) if isinstance(link, dict) else None
    roles = permission.get("roles")
    owner = isinstance(roles, list) and "owner" in roles
    inherited = permission.get("inheritedFrom") is not None
    return SharingPermission(str(permission["id"]), link_url, removable=not owner and not inherited)


class ChatFiles:
    def __init__(self, graph: GraphServiceClient) -> None:
        self._graph = graph

    async def locate(self, url: str) -> DriveItemRef:
        """The drive item a file's web URL or sharing link points at."""
        shares = self._graph.shares.by_shared_drive_item_id(share_id(url))
        item = await answer_json(self._graph, shares.drive_item.to_get_request_information())
        parent = item.get("parentReference") if isinstance(item, dict) else None
        item_id = _text(item.get("id")) if isinstance(item, dict) else None
        drive_id = _text(parent.get("driveId")) if isinstance(parent, dict) else None
        if not isinstance(item, dict) or item_id is None or drive_id is None:
            raise UnexpectedDriveItem("Graph returned a drive item without its ids")
        return DriveItemRef(drive_id, item_id, _text(item.get("webUrl")))

    def _permissions(self, item: DriveItemRef) -> PermissionsRequestBuilder:
        return (
            self._graph.drives.by_drive_id(item.drive_id)
            .items.by_drive_item_id(item.item_id)
            .permissions
        )

    async def permissions(self, item: DriveItemRef) -> tuple[SharingPermission, ...]:
        """The item's permissions, sharing links and the owner's alike."""
        listed = await answer_json(
            self._graph, self._permissions(item).to_get_request_information()
        )
        values = listed.get("value") if isinstance(listed, dict) else None
        found = (_sharing_permission(p) for p in (values if isinstance(values, list) else ()))
        return tuple(p for p in found if p is not None)

    async def revoke(self, item: DriveItemRef, permission_id: str) -> None:
        """Delete one sharing permission: whoever it was granted to can no longer open the file."""
        await self._permissions(item).by_permission_id(permission_id).delete()
