"""The seeded sandbox tenant, addressed as the staff pages' tests address it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.web.staff_site import RunningSandbox, running_sandbox


@pytest.fixture(scope="module")
async def sandbox() -> AsyncIterator[RunningSandbox]:
    async with running_sandbox() as running:
        yield running
