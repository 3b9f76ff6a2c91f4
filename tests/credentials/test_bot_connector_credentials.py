"""The bot talks in a meeting's chat through the Bot Connector with the credential
IASS_CREDENTIAL chooses, no client secret configured at all: a managed identity trusted by a
federated credential, or a certificate. Served as the tenant's bot (the Agents SDK checking
the channel's token), it hears a message in the meeting chat, asks the connector whether the
sender is a member of staff, and its answer reaches the chat; the connector accepted each of its
tokens and records that they came from a client assertion (`appidacr` "2"), not a secret."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer, unused_port
from microsoft_agents.hosting.core.authorization._entra_issuers import BOTFRAMEWORK_JWKS_URIS
from pydantic import SecretStr

from bot.agent.chat_wording import help_text
from bot.agent.endpoint import attach_bot_endpoint
from bot.config import Settings
from bot.graph.client import open_graph_client
from bot.graph.config import GraphClientConfig
from bot.web.app import create_app
from consent_store.unit_of_work import Store
from sandbox.app_keys import BOT_CHANNEL
from sandbox.entra.tokens import ASSERTION_AUTHENTICATION
from sandbox.seed import BOT_CLIENT_ID, BOT_CLIENT_SECRET, COORDINATOR
from sandbox.teams import activities
from tests.agent.conftest import RecordedEvents
from tests.credentials.conftest import (
    IDENTITY_CLIENT_ID,
    PFX_PASSWORD,
    assign_managed_identity,
    register_certificate,
)
from tests.sandbox.builders import meeting_with_bot
from tests.sandbox.conftest import RunningSandbox
from tests.web.staff_site import tenant_settings

SENT = "Hello, what can you do?"


@pytest.fixture
def channel_keys_restored() -> Iterator[None]:
    """The endpoint points the SDK at the sandbox's channel keys; put the SDK's back."""
    original = dict(BOTFRAMEWORK_JWKS_URIS)
    yield
    BOTFRAMEWORK_JWKS_URIS.clear()
    BOTFRAMEWORK_JWKS_URIS.update(original)


@asynccontextmanager
async def serving_bot(
    store: Store, sandbox: RunningSandbox, **credential: object
) -> AsyncIterator[None]:
    """The bot's app with its Teams endpoint on a free port, as the tenant's bot, with no
    client secret and `credential`'s settings."""
    port = unused_port()
    base_url = f"http://127.0.0.1:{port}"
    tenant = tenant_settings(sandbox.origin, base_url, bot_app_secret=SecretStr(""), **credential)
    settings = Settings(_env_file=None)
    app = create_app(settings, store, tenant=tenant)
    events = RecordedEvents()
    attach_bot_endpoint(
        app,
        store,
        tenant,
        settings.service,
        meeting_events=events,
        document_events=events,
        chat_words=events,
    )
    async with TestServer(app, host="127.0.0.1", port=port):
        sandbox.tenant.bot_endpoint = f"{base_url}/api/messages"
        yield
        sandbox.tenant.bot_endpoint = None


async def staff_message_in_a_meeting_chat(sandbox: RunningSandbox) -> str:
    """A meeting with the bot installed, started by the co-ordinator, who @mentions the bot in
    its chat (delivered as Teams delivers it); the chat's thread id."""
    setup = GraphClientConfig(
        tenant_id=sandbox.tenant.tenant_id,
        client_id=BOT_CLIENT_ID,
        client_secret=BOT_CLIENT_SECRET,
        graph_base_url=sandbox.graph_base_url,
        authority_rewrite_to=sandbox.origin,
    )
    async with open_graph_client(setup) as graph:
        online = await meeting_with_bot(graph, "Planning meeting")
    assert online.id is not None
    assert online.chat_info is not None
    thread_id = str(online.chat_info.thread_id)
    sandbox.teams.create(online.id)
    await sandbox.teams.start(online.id)
    tenant = sandbox.tenant
    conversation = tenant.conversations.meeting_chat(thread_id)
    organiser = tenant.teams_accounts.resolve(COORDINATOR.object_id)
    message = activities.message(
        tenant, conversation, organiser, SENT, meeting=tenant.live_meetings.get(online.id)
    )
    delivery = await sandbox.app[BOT_CHANNEL].send(
        conversation, activities.mention_of_bot(tenant, message)
    )
    assert delivery.delivered, delivery.outcome
    return thread_id


def bot_posts(sandbox: RunningSandbox, thread_id: str) -> list[tuple[str, str | None]]:
    """What the bot posted in the chat, and how it authenticated for each post's token."""
    conversation = sandbox.tenant.conversations.get(thread_id)
    assert conversation is not None
    return [
        (str(e.activity.get("text")), e.bot_authentication)
        for e in conversation.entries
        if e.direction == "from_bot"
    ]


async def test_with_a_managed_identity_the_bots_answer_reaches_the_meeting_chat(
    tenant_sandbox: RunningSandbox,
    sqlite_store: Store,
    monkeypatch: pytest.MonkeyPatch,
    channel_keys_restored: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    tenant = tenant_sandbox.tenant
    assign_managed_identity(tenant, tenant_sandbox.origin, monkeypatch, federated=True)
    async with serving_bot(
        sqlite_store,
        tenant_sandbox,
        credential="managed_identity",
        managed_identity_client_id=IDENTITY_CLIENT_ID,
    ):
        thread_id = await staff_message_in_a_meeting_chat(tenant_sandbox)

    assert bot_posts(tenant_sandbox, thread_id) == [
        (help_text(in_meeting=True), ASSERTION_AUTHENTICATION)
    ]
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert tenant.managed_identities.identity_header not in logged


async def test_with_a_certificate_the_bots_answer_reaches_the_meeting_chat(
    tenant_sandbox: RunningSandbox,
    sqlite_store: Store,
    tmp_path: Path,
    channel_keys_restored: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    certificate = register_certificate(tenant_sandbox.tenant)
    pfx = certificate.write_pfx(tmp_path / "bot.pfx", PFX_PASSWORD)
    async with serving_bot(
        sqlite_store,
        tenant_sandbox,
        credential="certificate",
        bot_certificate_path=str(pfx),
        bot_certificate_password=SecretStr(PFX_PASSWORD),
    ):
        thread_id = await staff_message_in_a_meeting_chat(tenant_sandbox)

    assert bot_posts(tenant_sandbox, thread_id) == [
        (help_text(in_meeting=True), ASSERTION_AUTHENTICATION)
    ]
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert PFX_PASSWORD not in logged
