"""Looking up a staff member's address through Graph: the answer is kept for a while, so a
meeting whose recording setting changes often does not ask Graph each time; after
`CONTACT_LIFETIME` it is asked again."""

from __future__ import annotations

import pytest

from bot.graph import directory
from bot.graph.mailbox import ConsentMailbox
from bot.ports.failures import GRAPH_FAILURES
from sandbox.seed import COORDINATOR
from tests.sandbox.conftest import RunningSandbox

INTERNAL_ERROR = 500  # not retried by the SDK, so the test stays fast


async def test_an_address_is_kept_for_a_while_then_asked_again(
    tenant_sandbox: RunningSandbox, mailbox: ConsentMailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await mailbox.directory.contact(COORDINATOR.object_id)
    assert first is not None
    assert first.address == COORDINATOR.mail

    tenant_sandbox.tenant.faults.fail(count=10, status=INTERNAL_ERROR, path_contains="/users/1")
    assert await mailbox.directory.contact(COORDINATOR.object_id) == first

    monkeypatch.setattr(directory, "CONTACT_LIFETIME", 0.0)
    with pytest.raises(GRAPH_FAILURES):
        await mailbox.directory.contact(COORDINATOR.object_id)
