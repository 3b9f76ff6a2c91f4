"""OneDrive for Business: each user's drive, the files they post in Teams chats (kept in
"Microsoft Teams Chat Files" and shared with the chat's members), their permissions, and the
short-lived pre-authorised download URLs Teams hands a bot for a posted file."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote, unquote, urlsplit

from sandbox.directory import TenantUser
from sandbox.ids import drive_item_id, new_guid, urlsafe_token

CHAT_FILES_FOLDER = "Microsoft Teams Chat Files"

_LINK_KIND_BY_EXTENSION = {"docx": "w", "doc": "w", "xlsx": "x", "pptx": "p", "pdf": "b"}


@dataclass(frozen=True, slots=True)
class Grantee:
    """Whom a permission is granted to (Graph `identity`)."""

    user_id: str | None
    display_name: str
    email: str


@dataclass
class ItemPermission:
    id: str
    roles: tuple[str, ...]
    granted_to: tuple[Grantee, ...]
    link_url: str | None = None
    link_scope: str | None = None
    link_type: str | None = None
    inherited: bool = False


@dataclass
class DriveItem:
    id: str
    drive_id: str
    name: str
    parent_id: str
    parent_path: str
    web_url: str
    mime_type: str
    content: bytes
    created_at: datetime
    created_by: Grantee
    version: int = 1
    etag_guid: str = field(default_factory=new_guid)
    permissions: list[ItemPermission] = field(default_factory=list)

    @property
    def etag(self) -> str:
        return f'"{{{self.etag_guid.upper()}}},{self.version}"'

    def permission(self, permission_id: str) -> ItemPermission | None:
        return next((p for p in self.permissions if p.id == permission_id), None)


@dataclass
class Drive:
    id: str
    owner: Grantee
    web_url: str
    personal_segment: str
    chat_files_folder_id: str
    items: dict[str, DriveItem] = field(default_factory=dict)


def _personal_segment(user: TenantUser) -> str:
    return user.user_principal_name.lower().replace("@", "_").replace(".", "_")


def _free_name(drive: Drive, name: str) -> str:
    """`name`, or with a number added before the extension if the chat files folder has it."""
    taken = {
        i.name.lower() for i in drive.items.values() if i.parent_id == drive.chat_files_folder_id
    }
    stem, dot, extension = name.rpartition(".") if "." in name else (name, "", "")
    candidate, number = name, 0
    while candidate.lower() in taken:
        number += 1
        candidate = f"{stem} {number}{dot}{extension}"
    return candidate


def _normalised_url(url: str) -> str:
    parts = urlsplit(url.strip())
    return f"{parts.netloc.lower()}{unquote(parts.path).rstrip('/').lower()}"


class FileStore:
    def __init__(self, sharepoint_host: str) -> None:
        self._host = sharepoint_host
        self._drives: dict[str, Drive] = {}
        self._drive_id_by_owner: dict[str, str] = {}
        self._download_tokens: dict[str, DriveItem] = {}

    def drive(self, drive_id: str) -> Drive | None:
        return self._drives.get(drive_id)

    def drive_of(self, user: TenantUser) -> Drive:
        drive_id = self._drive_id_by_owner.get(user.object_id)
        if drive_id is not None:
            return self._drives[drive_id]
        segment = _personal_segment(user)
        drive = Drive(
            id="b!" + urlsafe_token(48),
            owner=Grantee(user.object_id, user.display_name, user.mail),
            web_url=f"https://{self._host}/personal/{segment}/Documents",
            personal_segment=segment,
            chat_files_folder_id=drive_item_id(),
        )
        self._drives[drive.id] = drive
        self._drive_id_by_owner[user.object_id] = drive.id
        return drive

    def share_in_chat(
        self,
        owner: TenantUser,
        name: str,
        content: bytes,
        mime_type: str,
        members: Sequence[Grantee],
        now: datetime,
    ) -> DriveItem:
        """Store a file as Teams does when `owner` posts it in a chat: in their drive's chat
        files folder (renamed `name 1.ext`, `name 2.ext`... if the name is taken there), with
        a "specific people" view link for the other chat members."""
        drive = self.drive_of(owner)
        name = _free_name(drive, name)
        item = DriveItem(
            id=drive_item_id(),
            drive_id=drive.id,
            name=name,
            parent_id=drive.chat_files_folder_id,
            parent_path=f"/drive/root:/{CHAT_FILES_FOLDER}",
            web_url=f"{drive.web_url}/{quote(CHAT_FILES_FOLDER)}/{quote(name)}",
            mime_type=mime_type,
            content=content,
            created_at=now,
            created_by=drive.owner,
        )
        owner_claim = f"i:0#.f|membership|{owner.user_principal_name.lower()}"
        item.permissions.append(
            ItemPermission(
                id=base64.b64encode(owner_claim.encode()).decode("ascii").rstrip("="),
                roles=("owner",),
                granted_to=(drive.owner,),
                inherited=True,
            )
        )
        others = tuple(m for m in members if m.user_id != owner.object_id)
        if others:
            kind = _LINK_KIND_BY_EXTENSION.get(name.rsplit(".", 1)[-1].lower(), "u")
            item.permissions.append(
                ItemPermission(
                    id=new_guid(),
                    roles=("read",),
                    granted_to=others,
                    link_url=(
                        f"https://{self._host}/:{kind}:/g/personal/{drive.personal_segment}/"
                        f"E{urlsafe_token(33)}"
                    ),
                    link_scope="users",
                    link_type="view",
                )
            )
        drive.items[item.id] = item
        return item

    def item_at_url(self, url: str) -> DriveItem | None:
        """The item whose address or sharing link is `url` (case and escaping ignored)."""
        wanted = _normalised_url(url)
        for drive in self._drives.values():
            for item in drive.items.values():
                addresses = [item.web_url] + [p.link_url for p in item.permissions if p.link_url]
                if any(_normalised_url(address) == wanted for address in addresses):
                    return item
        return None

    def download_path(self, item: DriveItem) -> str:
        """The path and query of a SharePoint-style `download.aspx` URL with a new `tempauth`
        token (the sandbox serves it)."""
        token = "v1." + urlsafe_token(48)
        self._download_tokens[token] = item
        segment = self._drives[item.drive_id].personal_segment
        return (
            f"/personal/{segment}/_layouts/15/download.aspx"
            f"?UniqueId={item.etag_guid.upper()}&Translate=false&tempauth={token}"
        )

    def downloadable(self, unique_id: str, token: str) -> DriveItem | None:
        """The item a download URL's `UniqueId` and `tempauth` give access to."""
        item = self._download_tokens.get(token)
        if item is None or item.etag_guid.lower() != unique_id.lower():
            return None
        return item
