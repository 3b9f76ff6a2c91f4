"""The adversary against the bot as served (issue 12, item 8): on SQLite and on PostgreSQL, a
few meetings each driven through replies, reviews, early and late starts, joins, recordings,
Graph faults, store outages and bot restarts, with the recording invariant checked after
every step (`tests/invariants/harness.py` states it and its time bounds).

The short version runs in `make test`; `bench/invariants.py` runs thousands of steps."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from tests.invariants.adversary import adversary_against
from tests.invariants.harness import Engine, LoopThread, World

SHORT = settings(
    max_examples=10,
    stateful_step_count=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.fixture(params=["sqlite", "postgresql"])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[World, LoopThread]]:
    engine: Engine = request.param
    loop = LoopThread()
    served = World(engine, tmp_path)
    try:
        loop.call(served.open())
        yield served, loop
    finally:
        loop.call(served.close())
        loop.close()


def test_teams_allows_recording_only_as_the_rule_permits(world: tuple[World, LoopThread]) -> None:
    served, loop = world
    run_state_machine_as_test(adversary_against(served, loop, collect=False), settings=SHORT)
