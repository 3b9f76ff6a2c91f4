"""The bot's clients for its tenant, opened from settings: the consent mailbox, meetings, calls,
files posted in chats."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.config import TenantSettings
from bot.graph.calls import CALLBACK_PATH, MeetingCalls
from bot.graph.client import open_graph_client
from bot.graph.files import ChatFiles
from bot.graph.mailbox import ConsentMailbox
from bot.graph.meetings import OnlineMeetings
from bot.graph.recordings import MeetingRecordings

MEETING_PAGES_PATH = "/tab/meetings/"
"""Where the staff pages show a meeting, before its reference (`bot/web/meeting_page.py`)."""


@dataclass(frozen=True)
class TenantClients:
    mailbox: ConsentMailbox
    meetings: OnlineMeetings
    calls: MeetingCalls | None = None
    files: ChatFiles | None = None
    recordings: MeetingRecordings | None = None


@asynccontextmanager
async def open_tenant(settings: TenantSettings) -> AsyncIterator[TenantClients]:
    """Graph clients for the configured tenant; `ValueError` names a missing setting."""
    if not settings.consent_mailbox:
        raise ValueError("IASS_CONSENT_MAILBOX is not set")
    if not settings.teams_catalog_app_id:
        raise ValueError("IASS_TEAMS_CATALOG_APP_ID is not set")
    config = settings.graph_config()
    async with open_graph_client(config) as graph:
        yield TenantClients(
            ConsentMailbox(
                graph,
                settings.consent_mailbox,
                meeting_pages=settings.public_url.rstrip("/") + MEETING_PAGES_PATH,
            ),
            OnlineMeetings(graph, settings.teams_catalog_app_id, config.graph_base_url),
            calls=MeetingCalls(
                graph, settings.public_url.rstrip("/") + CALLBACK_PATH, settings.tenant_id
            ),
            files=ChatFiles(graph),
            recordings=MeetingRecordings(graph, settings.bot_app_id),
        )
