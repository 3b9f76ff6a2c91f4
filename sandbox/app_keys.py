"""Typed keys for what the sandbox application keeps in its aiohttp state."""

from __future__ import annotations

from aiohttp import web

from sandbox.notifier import ChangeNotifier
from sandbox.tenant import Tenant

TENANT = web.AppKey("sandbox_tenant", Tenant)
NOTIFIER = web.AppKey("sandbox_notifier", ChangeNotifier)
PUBLIC_ORIGIN = web.AppKey("sandbox_public_origin", str)
