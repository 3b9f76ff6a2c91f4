"""Application keys shared between the root application and its parts."""

from __future__ import annotations

from aiohttp import web

from bot.services.decision_events import DecisionEvents

DECISION_EVENTS = web.AppKey("decision_events", DecisionEvents)
