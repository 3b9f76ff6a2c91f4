"""Typed keys for what the sandbox application keeps in its aiohttp state."""

from __future__ import annotations

from aiohttp import web

from sandbox.calls.calling import CallingService
from sandbox.notifier import ChangeNotifier
from sandbox.teams.bot_channel import BotChannel
from sandbox.teams.meeting_driver import MeetingDriver
from sandbox.tenant import Tenant

TENANT = web.AppKey("sandbox_tenant", Tenant)
NOTIFIER = web.AppKey("sandbox_notifier", ChangeNotifier)
CALLING = web.AppKey("sandbox_calling", CallingService)
BOT_CHANNEL = web.AppKey("sandbox_bot_channel", BotChannel)
TEAMS = web.AppKey("sandbox_teams", MeetingDriver)
PUBLIC_ORIGIN = web.AppKey("sandbox_public_origin", str)
