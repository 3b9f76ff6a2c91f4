"""Files posted in Teams chats, through Graph: find a posted file's drive item from its URL, see
how it is shared, and revoke the sharing that gives the chat access to it.

A file posted in a chat lives in the poster's OneDrive and is shared with the chat's members
by a sharing permission of its own; the owner's permission is inherited and stays. Application
permission Files.ReadWrite.All.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from msgraph.generated.drives.item.items.item.permissions.permissions_request_builder import (
        PermissionsRequestBuilder,
    )
    from msgraph.generated.models.permission import Permission
    from msgraph.graph_service_client import GraphServiceClient


def share_id(url: str) -> str:
    """The `u!` id Graph's `/shares/{id}` accepts for a sharing or web URL."""
    return "u!" + base64.urlsafe_b64encode(url.encode()).rstrip(b"=").decode("ascii")


@dataclass(frozen=True, slots=True)
class DriveItemRef:
    """Where a file lives: its drive and item ids, and its own web URL."""

    drive_id: str
    item_id: str
    web_url: str | None


@dataclass(frozen=True, slots=True)
class SharingPermission:
    """One permission on a drive item. `link_url` is the sharing link's address, if it is one;
    `removable` is false for the owner's and inherited permissions, which sharing does not add."""

    id: str
    link_url: str | None
    removable: bool


class UnexpectedDriveItem(RuntimeError):
    """Graph answered without the ids a drive item always has."""


def _sharing_permission(permission: Permission) -> SharingPermission | None:
    if not permission.id:
        return None
    link_url = permission.link.web_url if permission.link is not None else None
    owner = "owner" in (permission.roles or [])
    return SharingPermission(
        permission.id, link_url, removable=not owner and permission.inherited_from is None
    )


class ChatFiles:
    def __init__(self, graph: GraphServiceClient) -> None:
        self._graph = graph

    async def locate(self, url: str) -> DriveItemRef:
        """The drive item a file's web URL or sharing link points at."""
        item = await self._graph.shares.by_shared_drive_item_id(share_id(url)).drive_item.get()
        if (
            item is None
            or not item.id
            or item.parent_reference is None
            or not item.parent_reference.drive_id
        ):
            raise UnexpectedDriveItem("Graph returned a drive item without its ids")
        return DriveItemRef(item.parent_reference.drive_id, item.id, item.web_url)

    def _permissions(self, item: DriveItemRef) -> PermissionsRequestBuilder:
        return (
            self._graph.drives.by_drive_id(item.drive_id)
            .items.by_drive_item_id(item.item_id)
            .permissions
        )

    async def permissions(self, item: DriveItemRef) -> tuple[SharingPermission, ...]:
        """The item's permissions, sharing links and the owner's alike."""
        listed = await self._permissions(item).get()
        if listed is None:
            return ()
        found = (_sharing_permission(p) for p in listed.value or [])
        return tuple(p for p in found if p is not None)

    async def revoke(self, item: DriveItemRef, permission_id: str) -> None:
        """Delete one sharing permission: whoever it was granted to can no longer open the file."""
        await self._permissions(item).by_permission_id(permission_id).delete()
