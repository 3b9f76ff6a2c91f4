"""Files posted in Teams chats: find a posted file, see how it is shared, and revoke the
sharing that gives the chat access to it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


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


class FileSharing(Protocol):
    async def locate(self, url: str) -> DriveItemRef:
        """The drive item a file's web URL or sharing link points at."""

    async def permissions(self, item: DriveItemRef) -> tuple[SharingPermission, ...]:
        """The item's permissions, sharing links and the owner's alike."""

    async def revoke(self, item: DriveItemRef, permission_id: str) -> None:
        """Delete one sharing permission: whoever it was granted to can no longer open the file."""
