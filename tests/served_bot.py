"""The bot as `make run` serves it (sandbox tenant on the next port), for tests that need the
whole thing running: a free port pair, and the app started and stopped around a test."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

from bot.config import Settings
from bot.serving import serving_app


def free_port_pair() -> int:
    """A free port whose next port is free too (the sandbox goes there)."""
    while True:
        with socket.socket() as first:
            first.bind(("127.0.0.1", 0))
            port = int(first.getsockname()[1])
            with socket.socket() as second:
                try:
                    second.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
                return port


@asynccontextmanager
async def bot_with_sandbox(settings: Settings) -> AsyncIterator[None]:
    """Serve `serving_app(settings, sandbox=True)` on localhost:`settings.port`."""
    runner = web.AppRunner(serving_app(settings, sandbox=True, host="localhost"))
    await runner.setup()
    await web.TCPSite(runner, "localhost", settings.port).start()
    try:
        yield
    finally:
        await runner.cleanup()
