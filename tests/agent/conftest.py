"""The bot's Teams endpoint served on a store of each engine against a sandbox tenant of its
own for the session, with the in-meeting use cases replaced by recorders, and meetings that
exist both in the sandbox (with the bot installed) and in the store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer, unused_port
from microsoft_agents.hosting.core.authorization._entra_issuers import BOTFRAMEWORK_JWKS_URIS
from msgraph.generated.models.online_meeting import OnlineMeeting
from msgraph.graph_service_client import GraphServiceClient

from bot.agent.endpoint import attach_bot_endpoint
from bot.config import Settings
from bot.graph.client import open_graph_client
from bot.graph.config import GraphClientConfig
from bot.services.live_meeting import MeetingChat, ObjectionSource, PostedFile, TeamsPerson
from bot.web.app import create_app
from consent_store.records import NewDocument
from consent_store.tables import MeetingRow
from consent_store.unit_of_work import Store
from domain.terms import DeclaredRole
from sandbox.app import create_sandbox_app
from sandbox.seed import (
    BOT_CLIENT_ID,
    BOT_CLIENT_SECRET,
    seeded_tenant,
)
from tests.conftest import FakeClock
from tests.sandbox.builders import meeting_with_bot
from tests.sandbox.conftest import RunningSandbox
from tests.tenant_flows.conftest import parent_and_school_meeting
from tests.web.staff_site import tenant_settings

BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
SHARE_REPLY = "Shared: the link is in the chat."
OBJECTION_REPLY = "Recording is now switched off for the rest of this meeting."
QUESTION_REPLY = "Thank you. I have passed your message to the staff member."


@pytest.fixture(scope="session")
async def sandbox() -> AsyncIterator[RunningSandbox]:
    tenant = seeded_tenant()
    runner = web.AppRunner(create_sandbox_app(tenant))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    origin = f"http://127.0.0.1:{runner.addresses[0][1]}"
    tenant.sandbox_url = origin
    yield RunningSandbox(origin, runner.app, tenant)
    await runner.cleanup()


@pytest.fixture(scope="session", autouse=True)
def channel_keys_restored() -> Iterator[None]:
    """The endpoint points the SDK at the sandbox's channel keys; put Microsoft's back."""
    original = dict(BOTFRAMEWORK_JWKS_URIS)
    yield
    BOTFRAMEWORK_JWKS_URIS.clear()
    BOTFRAMEWORK_JWKS_URIS.update(original)


@pytest.fixture(scope="session")
async def graph(sandbox: RunningSandbox) -> AsyncIterator[GraphServiceClient]:
    config = GraphClientConfig(
        tenant_id=sandbox.tenant.tenant_id,
        client_id=BOT_CLIENT_ID,
        client_secret=BOT_CLIENT_SECRET,
        graph_base_url=sandbox.graph_base_url,
        authority_rewrite_to=sandbox.origin,
    )
    async with open_graph_client(config) as client:
        yield client


@dataclass
class RecordedEvents:
    """Stands in for the in-meeting use cases: keeps every call, in order."""

    calls: list[tuple[str, ...]] = field(default_factory=list)
    people: list[TeamsPerson] = field(default_factory=list)
    files: list[PostedFile] = field(default_factory=list)

    async def meeting_started(self, thread_id: str) -> None:
        self.calls.append(("started", thread_id))

    async def meeting_ended(self, thread_id: str) -> None:
        self.calls.append(("ended", thread_id))

    async def participant_joined(self, thread_id: str, person: TeamsPerson) -> None:
        self.calls.append(("joined", thread_id))
        self.people.append(person)

    async def participant_left(self, thread_id: str, person: TeamsPerson) -> None:
        self.calls.append(("left", thread_id))
        self.people.append(person)

    async def file_posted(self, thread_id: str, poster: TeamsPerson, file: PostedFile) -> None:
        self.calls.append(("file", thread_id))
        self.people.append(poster)
        self.files.append(file)

    async def share_requested(self, thread_id: str, requester: TeamsPerson, wanted: str) -> str:
        self.calls.append(("share", thread_id, wanted))
        self.people.append(requester)
        return SHARE_REPLY

    async def objected(self, thread_id: str, person: TeamsPerson, source: ObjectionSource) -> str:
        self.calls.append(("objected", thread_id, source.value))
        self.people.append(person)
        return OBJECTION_REPLY

    async def asked(self, thread_id: str) -> str:
        self.calls.append(("asked", thread_id))
        return QUESTION_REPLY


@dataclass(frozen=True)
class ServedBot:
    base_url: str
    events: RecordedEvents
    chat: MeetingChat

    @property
    def messages_url(self) -> str:
        return f"{self.base_url}/api/messages"


@pytest.fixture
async def served_bot(store: Store, sandbox: RunningSandbox) -> AsyncIterator[ServedBot]:
    """The bot's app (staff pages and `/api/messages`) on a free port, as the tenant's bot."""
    port = unused_port()
    base_url = f"http://127.0.0.1:{port}"
    tenant = tenant_settings(sandbox.origin, base_url)
    settings = Settings(_env_file=None)
    app = create_app(settings, store, tenant=tenant)
    events = RecordedEvents()
    chat = attach_bot_endpoint(
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
        yield ServedBot(base_url, events, chat)
        sandbox.tenant.bot_endpoint = None


@dataclass(frozen=True)
class LinkedMeeting:
    """A meeting in the sandbox (bot installed) and in the store."""

    online: OnlineMeeting
    row: MeetingRow

    @property
    def online_id(self) -> str:
        assert self.online.id is not None
        return self.online.id

    @property
    def thread_id(self) -> str:
        assert self.online.chat_info is not None
        return str(self.online.chat_info.thread_id)


DOCUMENT_TITLE = "Draft EHC plan for Sam"


@pytest.fixture
async def linked_meeting(
    store: Store, graph: GraphServiceClient, sandbox: RunningSandbox, clock: FakeClock
) -> LinkedMeeting:
    """The co-ordinator's meeting with a parent carer and a SENCO, asking to record, declaring
    support and contribution, with one document listed; nobody has replied yet."""
    online = await meeting_with_bot(graph, "Planning meeting")
    assert online.id is not None
    assert online.chat_info is not None
    start = clock.now + timedelta(days=1)
    async with store.unit_of_work() as uow:
        row = await uow.meetings.add(
            replace(
                parent_and_school_meeting(
                    start, (NewDocument(DOCUMENT_TITLE, "https://example.org/plan.docx"),)
                ),
                title="Planning meeting for Sam",
                declared_role=DeclaredRole.SUPPORT_AND_CONTRIBUTE,
            ),
            uow.now(),
        )
        row.teams_meeting_id = online.id
        row.teams_chat_thread_id = online.chat_info.thread_id
        await uow.commit()
    sandbox.teams.create(online.id)
    return LinkedMeeting(online, row)
