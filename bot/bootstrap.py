"""The composition root: the one place the running bot is put together.

Settings are read once, into a `Configuration`, and everything below is given what it needs
from it (no part reads the environment while being wired). `build_application` opens the
store and assembles the web application, the bot in meetings, the recording backstop and the
consent mailbox's background work. `connected_work` is the table of what happens once the
tenant's Graph clients are open: which listeners hear "decisions changed", and which handler
runs each kind of durable job (with its retry policy). `iass-bot serve`, gunicorn and the
tests' served bot all build the application here (`bot/serving.py` adds only the sandbox
tenant for `make run`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial

from aiohttp import web

from bot.config import ServiceProfile, Settings, TenantSettings
from bot.graph.tenant import TenantClients
from bot.heap import settle_heap
from bot.mailbox.reader import MailboxReader
from bot.mailbox.runtime import ConnectedWork, Wiring, attach_consent_mailbox, worker_id
from bot.meeting_runtime import LiveMeetings
from bot.recording_backstop_runtime import RecordingBackstopRuntime
from bot.services.backstop_checks import RETRY_POLICIES as BACKSTOP_RETRY
from bot.services.legal_extracts import LegalExtracts
from bot.services.recording_enforcement import (
    enforce_recording,
    reconcile_handlers,
    reconcile_recording,
)
from bot.services.timed_work import meeting_job_handlers
from bot.speech.choice import speech_from_settings
from bot.speech.settings import SpeechSettings
from bot.telemetry_export import attach_telemetry
from bot.web.app import create_app
from consent_store.unit_of_work import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Configuration:
    """Every setting the running bot uses, read once at start-up."""

    settings: Settings
    tenant: TenantSettings
    speech: SpeechSettings

    @classmethod
    def read(cls, settings: Settings, tenant: TenantSettings | None = None) -> Configuration:
        """The configuration from `settings` (and the environment and settings file for the
        speech backend); `tenant` replaces the configured tenant (the sandbox's, for
        `make run`). `ValueError` names a malformed setting."""
        return cls(settings, tenant or settings.tenant, SpeechSettings())

    @property
    def service(self) -> ServiceProfile:
        return self.settings.service


def connected_work(store: Store, service: ServiceProfile) -> Wiring:
    """The table of events and their handlers: decisions recorded from email, and "decisions
    changed" from the review queue, make Teams' recording setting match the gate; each
    durable job kind has its handler (reminders and the start, the reader's follow-ups: the
    gate's re-check and the receipts, legal extracts, the recording reconciler) and, where it
    has one, its retry policy."""

    def wire(clients: TenantClients) -> ConnectedWork:
        reader = MailboxReader(
            store,
            clients.mailbox,
            service,
            on_decisions=partial(
                reconcile_recording, store, clients.meetings, mailbox=clients.mailbox
            ),
        )

        async def enforce(meeting_id: str) -> None:
            await enforce_recording(
                store, clients.meetings, meeting_id, cause="decision", mailbox=clients.mailbox
            )

        reconcile, reconcile_retry = reconcile_handlers(store, clients.meetings, clients.mailbox)
        return ConnectedWork(
            reader=reader,
            decision_listeners=(enforce,),
            handlers={
                **meeting_job_handlers(store, clients.meetings, clients.mailbox, service),
                **reader.follow_up_handlers(),
                **LegalExtracts(store, clients.mailbox, service).handlers(),
                **reconcile,
            },
            retry={**reconcile_retry, **BACKSTOP_RETRY},
        )

    return wire


def build_application(configuration: Configuration) -> web.Application:
    """The bot's application over the configured store; `ValueError` names a missing or
    malformed key setting. Without a usable tenant the staff pages say why and the bot does
    not take part in meetings; the log says so."""
    settings, tenant, service = configuration.settings, configuration.tenant, configuration.service
    store = Store.open(settings.database_url, settings.key_ring())
    app = create_app(settings, store, tenant=tenant)
    attach_telemetry(app, store)

    async def to_staff_pages(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound("/tab")

    app.router.add_get("/", to_staff_pages)
    speech = speech_from_settings(configuration.speech)
    live = LiveMeetings(store, tenant, service, worker_id(), speech)
    backstop = RecordingBackstopRuntime(store, tenant)
    backstop.attach(app)
    wiring = connected_work(store, service)
    try:
        live.attach(app)
    except ValueError as error:
        log.warning("the bot is not taking part in meetings: %s", error)
        attach_consent_mailbox(app, store, tenant, wiring, listeners=(backstop,))
    else:
        attach_consent_mailbox(app, store, tenant, wiring, listeners=(live, backstop))

    async def close_store(_app: web.Application) -> None:
        await store.close()

    async def started(_app: web.Application) -> None:
        settle_heap()

    app.on_cleanup.append(close_store)
    app.on_startup.append(started)
    return app
