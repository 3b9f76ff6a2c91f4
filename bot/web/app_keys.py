"""Application keys shared between the root application and its parts."""

from __future__ import annotations

from aiohttp import web

from bot.config import Settings
from bot.graph.tenant import TenantClients
from bot.services.decision_events import DecisionEvents


class TenantAccess:
    """The bot's Graph clients for its tenant, once they are open (None until then, or when
    the tenant is not configured)."""

    def __init__(self) -> None:
        self.clients: TenantClients | None = None


SETTINGS_KEY = web.AppKey("settings", Settings)
DECISION_EVENTS = web.AppKey("decision_events", DecisionEvents)
TENANT_ACCESS = web.AppKey("tenant_access", TenantAccess)
