"""Requests being answered come before the bot's own background work.

Why: Teams and Graph wait for the bot's answers, and an answer that comes late is sent again,
which adds to the load that made it late. The guards' work behind the activity inbox (Graph
round trips, notices, commits) costs many times what answering does, and it shares one event
loop with the answers. So background work waits for a moment when no request is being
answered before it starts each piece of work. It never stops altogether: while requests keep
coming it still gets a turn every `BUSY_TURN_SECONDS`, so the guards keep going under any load.

`Foreground.middleware` counts the requests the bot's web application is answering;
`Foreground.turn` is what background work awaits before each piece of work.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

BUSY_TURN_SECONDS = 1.0
"""While requests are being answered, background work starts one piece of work this often."""


class Foreground:
    """The requests being answered, and background work's turns around them."""

    def __init__(self, busy_turn_seconds: float = BUSY_TURN_SECONDS) -> None:
        if busy_turn_seconds <= 0:
            raise ValueError("background work needs a turn now and then")
        self._busy_turn_seconds = busy_turn_seconds
        self._answering = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._busy_turns = asyncio.Lock()
        self._last_busy_turn = float("-inf")

    @contextmanager
    def answering(self) -> Iterator[None]:
        """Hold background work back while the block runs."""
        self._answering += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._answering -= 1
            if not self._answering:
                self._idle.set()

    def middleware(self) -> Middleware:
        """An aiohttp middleware that counts every request while it is answered."""

        @web.middleware
        async def answering(request: web.Request, handler: Handler) -> web.StreamResponse:
            with self.answering():
                return await handler(request)

        return answering

    async def turn(self) -> None:
        """Return when no request is being answered, or when background work's next turn
        comes while they are (one turn at a time, across everything waiting)."""
        if self._idle.is_set():
            return
        async with self._busy_turns:
            loop = asyncio.get_running_loop()
            wait = self._last_busy_turn + self._busy_turn_seconds - loop.time()
            if wait > 0:
                try:
                    async with asyncio.timeout(wait):
                        await self._idle.wait()
                except TimeoutError:
                    pass
                else:
                    return
            if not self._idle.is_set():
                self._last_busy_turn = loop.time()
