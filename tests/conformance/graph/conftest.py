"""The sandbox tenant of `tests/sandbox`, its bot double and the product's Graph client, for
the sandbox answer checks here (`test_sandbox_graph_answers.py`)."""

from tests.sandbox.conftest import (  # noqa: F401 (pytest fixtures)
    bot,
    graph,
    graph_config,
    sandbox,
)
