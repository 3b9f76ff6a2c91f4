"""Files posted in a chat, as Teams hands them to a bot: attachments of type
`application/vnd.microsoft.teams.file.download.info` pointing into the poster's OneDrive."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.services.live_meeting import PostedFile

FILE_DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info"


def posted_files(attachments: Iterable[Any] | None) -> tuple[PostedFile, ...]:
    """The files among a message's attachments (SDK `Attachment` models); attachments of other
    kinds, or without a link or name, are passed over."""
    files: list[PostedFile] = []
    for attachment in attachments or ():
        if getattr(attachment, "content_type", None) != FILE_DOWNLOAD_INFO:
            continue
        content = getattr(attachment, "content", None)
        details: dict[str, Any] = content if isinstance(content, dict) else {}
        name = getattr(attachment, "name", None)
        url = getattr(attachment, "content_url", None)
        if not isinstance(name, str) or not isinstance(url, str) or not name or not url:
            continue
        files.append(
            PostedFile(
                name=name,
                content_url=url,
                unique_id=str(details.get("uniqueId") or ""),
                file_type=str(details.get("fileType") or ""),
            )
        )
    return tuple(files)
