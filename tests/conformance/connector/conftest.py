"""The sandbox tenant of `tests/sandbox` and the bot's Bot Connector token, for the connector
conformance tests here."""

from tests.sandbox.conftest import (  # noqa: F401 (pytest fixtures)
    bot,
    graph,
    graph_config,
    http,
    no_faults_left,
    sandbox,
)
from tests.sandbox.test_sandbox_connector import connector_token  # noqa: F401
