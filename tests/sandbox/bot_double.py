"""The bot's endpoints as a test double: `/api/messages` receives Teams activities,
`/api/calls` comms notifications (each kept with its Authorization header), and
`/prompts/{name}` serves the WAV files a test puts there."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from aiohttp import web


@dataclass(frozen=True)
class Received:
    authorization: str
    body: dict[str, Any]


class BotDouble:
    def __init__(self) -> None:
        self.origin = ""
        self.activities: asyncio.Queue[Received] = asyncio.Queue()
        self.notifications: asyncio.Queue[Received] = asyncio.Queue()
        self.prompts: dict[str, bytes] = {}

    def url(self, path: str) -> str:
        return f"{self.origin}{path}"

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/api/messages", self._message)
        app.router.add_post("/api/calls", self._notification)
        app.router.add_get("/prompts/{name}", self._prompt)
        return app

    async def next_activity(self) -> Received:
        return await asyncio.wait_for(self.activities.get(), timeout=5)

    async def next_notification(self) -> Received:
        return await asyncio.wait_for(self.notifications.get(), timeout=5)

    async def activity_named(self, name: str) -> Received:
        """The next activity that is the named event (earlier ones are passed over), its name
        compared trimmed and case-insensitively (one documented meeting event shape puts a
        space before it)."""
        while True:
            received = await self.next_activity()
            if str(received.body.get("name", "")).strip().lower() == name.lower():
                return received

    async def notification_about(self, suffix: str, change_type: str = "updated") -> Received:
        """The next comms notification whose resourceUrl ends with `suffix`."""
        while True:
            received = await self.next_notification()
            notification = received.body["value"][0]
            if notification["changeType"] == change_type and notification[
                "resourceUrl"
            ].lower().endswith(suffix.lower()):
                return received

    async def _message(self, request: web.Request) -> web.Response:
        body = await request.json()
        await self.activities.put(Received(request.headers.get("Authorization", ""), body))
        return web.Response(status=200)

    async def _notification(self, request: web.Request) -> web.Response:
        body = await request.json()
        await self.notifications.put(Received(request.headers.get("Authorization", ""), body))
        return web.Response(status=202)

    async def _prompt(self, request: web.Request) -> web.Response:
        content = self.prompts.get(request.match_info["name"])
        if content is None:
            return web.Response(status=404)
        return web.Response(body=content, content_type="audio/wav")
