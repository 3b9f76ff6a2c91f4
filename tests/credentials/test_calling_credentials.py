"""Joining a meeting's call goes through Graph with the same credential: the bot's own
`MeetingCalls`, on a Graph client holding only a certificate or a managed identity's federated
credential, places the call, and the calling service tells the bot's callback it is
established."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.graph.calls import CALLBACK_PATH, MeetingCalls
from bot.graph.client import open_graph_client
from bot.graph.config import CertificateFile, GraphClientConfig, ManagedIdentityFederation
from sandbox.seed import BOT_CLIENT_ID, BOT_CLIENT_SECRET, COORDINATOR
from tests.credentials.conftest import (
    IDENTITY_CLIENT_ID,
    PFX_PASSWORD,
    assign_managed_identity,
    register_certificate,
)
from tests.sandbox.bot_double import BotDouble
from tests.sandbox.builders import meeting_with_bot
from tests.sandbox.conftest import RunningSandbox


@pytest.fixture
async def bot(tenant_sandbox: RunningSandbox) -> AsyncIterator[BotDouble]:
    """What answers at the bot's calls callback."""
    double = BotDouble()
    runner = web.AppRunner(double.app())
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    double.origin = f"http://127.0.0.1:{runner.addresses[0][1]}"
    yield double
    await tenant_sandbox.calling.idle()
    await runner.cleanup()


def config_for(sandbox: RunningSandbox, **credential: Any) -> GraphClientConfig:
    return GraphClientConfig(
        tenant_id=sandbox.tenant.tenant_id,
        client_id=BOT_CLIENT_ID,
        graph_base_url=sandbox.graph_base_url,
        authority_rewrite_to=sandbox.origin,
        **credential,
    )


async def started_meeting_thread(sandbox: RunningSandbox) -> str:
    """A meeting with the bot installed, started by its organiser; its chat's thread id."""
    async with open_graph_client(config_for(sandbox, client_secret=BOT_CLIENT_SECRET)) as graph:
        online = await meeting_with_bot(graph, "Planning meeting")
    assert online.id is not None
    assert online.chat_info is not None
    sandbox.teams.create(online.id)
    await sandbox.teams.start(online.id)
    return str(online.chat_info.thread_id)


async def joined_call_states(
    sandbox: RunningSandbox, bot: BotDouble, config: GraphClientConfig
) -> list[str]:
    """The first two states the calling service reports for the call the bot places with
    `config`'s credential."""
    thread_id = await started_meeting_thread(sandbox)
    async with open_graph_client(config) as graph:
        calls = MeetingCalls(graph, bot.url(CALLBACK_PATH), sandbox.tenant.tenant_id)
        call_id = await calls.join(thread_id, COORDINATOR.object_id)
    states = []
    for _ in range(2):
        (notification,) = (await bot.next_notification()).body["value"]
        assert notification["resourceUrl"] == f"/communications/calls/{call_id}"
        states.append(str(notification["resourceData"]["state"]))
    return states


async def test_a_call_placed_with_a_certificate_is_established(
    tenant_sandbox: RunningSandbox, bot: BotDouble, tmp_path: Path
) -> None:
    pfx = register_certificate(tenant_sandbox.tenant).write_pfx(tmp_path / "bot.pfx", PFX_PASSWORD)
    config = config_for(tenant_sandbox, certificate=CertificateFile(pfx, PFX_PASSWORD))

    states = await joined_call_states(tenant_sandbox, bot, config)

    assert states == ["establishing", "established"]


async def test_a_call_placed_with_a_managed_identity_is_established(
    tenant_sandbox: RunningSandbox, bot: BotDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = tenant_sandbox.tenant
    assign_managed_identity(tenant, tenant_sandbox.origin, monkeypatch, federated=True)
    config = config_for(
        tenant_sandbox, managed_identity=ManagedIdentityFederation(IDENTITY_CLIENT_ID)
    )

    states = await joined_call_states(tenant_sandbox, bot, config)

    assert states == ["establishing", "established"]
