"""Fixtures for the staff-page tests: the sandbox tenant for the session, the bot's app on a
store of each engine, and a client with or without a staff session."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from yarl import URL

from consent_store.unit_of_work import Store
from tests.web.staff_site import (
    STAFF_SESSION,
    RunningSandbox,
    StaffServer,
    running_sandbox,
    serving_staff_pages,
)


@pytest.fixture(scope="session")
async def sandbox() -> AsyncIterator[RunningSandbox]:
    async with running_sandbox() as running:
        yield running


@pytest.fixture
async def staff_site(store: Store, sandbox: RunningSandbox) -> AsyncIterator[StaffServer]:
    async with serving_staff_pages(store, sandbox.origin) as server:
        yield server


@pytest.fixture
async def client() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def signed_in(
    client: aiohttp.ClientSession, staff_site: StaffServer
) -> aiohttp.ClientSession:
    """The client with a session for Priya Raman (staff), CSRF token `CSRF_TOKEN`."""
    name, value = await staff_site.session_cookie(STAFF_SESSION)
    client.cookie_jar.update_cookies({name: value}, response_url=URL(staff_site.base_url))
    return client
