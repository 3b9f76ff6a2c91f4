"""The bot's web application answers its health check."""

from __future__ import annotations

from pathlib import Path

from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from bot.config import Settings
from bot.web.app import create_app


async def test_healthz_answers_with_json(env_without_iass: Path) -> None:
    async with TestServer(create_app(Settings())) as server, ClientSession() as client:
        response = await client.get(server.make_url("/healthz"))
        assert response.status == 200
        assert await response.json() == {
            "status": "ok",
            "service": "Westmorland and Furness SEND IASS",
        }
