"""Pre-authorised downloads of files posted in chats: the `downloadUrl` of a Teams file
attachment, fetched with a plain GET (no bearer token), as SharePoint serves
`/personal/{user}/_layouts/15/download.aspx?UniqueId=...&tempauth=...`."""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from sandbox.app_keys import TENANT


async def download(request: web.Request) -> web.Response:
    files = request.config_dict[TENANT].files
    item = files.downloadable(request.query.get("UniqueId", ""), request.query.get("tempauth", ""))
    if item is None:
        return web.json_response(
            {"error": {"code": "unauthenticated", "message": "Invalid or expired tempauth."}},
            status=401,
        )
    return web.Response(
        body=item.content,
        content_type=item.mime_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(item.name)}"},
    )


def add_download_routes(app: web.Application) -> None:
    app.router.add_get("/personal/{user}/_layouts/15/download.aspx", download)
