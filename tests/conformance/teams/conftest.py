"""The served bot and sandbox of `tests/agent`, for the conformance tests here."""

from tests.agent.conftest import (  # noqa: F401 (pytest fixtures)
    channel_keys_restored,
    graph,
    linked_meeting,
    sandbox,
    served_bot,
)
