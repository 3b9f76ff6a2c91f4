"""Background work gives way to the requests the bot is answering: it goes at once when
nothing is being answered, takes one turn per interval while requests keep coming, and the
rest of it goes as soon as the last request has been answered."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.foreground import Foreground


async def test_background_work_goes_at_once_when_nothing_is_being_answered() -> None:
    foreground = Foreground(busy_turn_seconds=60)

    await asyncio.wait_for(asyncio.gather(*(foreground.turn() for _ in range(3))), 1)


async def test_while_a_request_is_answered_background_work_waits_for_it() -> None:
    foreground = Foreground(busy_turn_seconds=60)

    with foreground.answering():
        turns = [asyncio.create_task(foreground.turn()) for _ in range(3)]
        await asyncio.sleep(0.2)
        assert sum(turn.done() for turn in turns) == 1
    await asyncio.wait_for(asyncio.gather(*turns), 1)


async def test_background_work_keeps_taking_turns_while_requests_keep_coming() -> None:
    foreground = Foreground(busy_turn_seconds=0.05)

    with foreground.answering():
        began = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*(foreground.turn() for _ in range(3))), 5)
        assert time.perf_counter() - began >= 0.1


async def test_the_middleware_holds_background_work_back_until_the_answer() -> None:
    foreground = Foreground(busy_turn_seconds=60)
    arrived = asyncio.Event()
    answer = asyncio.Event()

    async def slow(_request: web.Request) -> web.Response:
        arrived.set()
        await answer.wait()
        return web.Response(text="answered")

    app = web.Application(middlewares=[foreground.middleware()])
    app.router.add_post("/api/messages", slow)
    async with TestServer(app) as server, aiohttp.ClientSession() as client:
        request = asyncio.create_task(client.post(server.make_url("/api/messages")))
        await arrived.wait()
        await foreground.turn()
        waiting = asyncio.create_task(foreground.turn())
        await asyncio.sleep(0.2)
        assert not waiting.done()

        answer.set()
        async with await request as response:
            assert await response.text() == "answered"
        await asyncio.wait_for(waiting, 1)


def test_background_work_must_get_turns() -> None:
    with pytest.raises(ValueError, match="turn"):
        Foreground(busy_turn_seconds=0)
