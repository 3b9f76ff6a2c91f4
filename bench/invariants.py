"""Benchmark: the adversary of `tests/invariants` for thousands of steps. Serves the sandbox
tenant here and the bot in a process of its own over a scratch database (as
`tests/invariants/harness.py` describes), and lets hypothesis drive meetings through replies,
reviews, early and late starts, joins, recordings, Graph faults, store outages and bot
restarts, checking the recording invariant after every step. A violation is counted and ends
that meeting; the run goes on with the next.

Prints the steps taken and steps/s, each kind of violation with its first message, the longest
time Teams allowed recording while the rule did not permit it (in all, and from the end of the
faults), and last `invariant_violations: N`. Target: 0 over 5,000 steps.

    .venv/bin/python bench/invariants.py                  # PostgreSQL, 5000 steps
    .venv/bin/python bench/invariants.py --engine sqlite --steps 500
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, Phase, settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypothesis.stateful import run_state_machine_as_test

from tests.invariants.adversary import adversary_against
from tests.invariants.harness import Engine, LoopThread, World

BATCH = settings(
    max_examples=20,
    stateful_step_count=15,
    deadline=None,
    database=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def run(engine: Engine, steps: int) -> int:
    loop = LoopThread()
    with tempfile.TemporaryDirectory() as workdir:
        world = World(engine, Path(workdir))
        try:
            loop.call(world.open())
            machine = adversary_against(world, loop, collect=True)
            started = time.monotonic()
            while world.figures.steps < steps:
                seen = len(world.figures.violations)
                run_state_machine_as_test(machine, settings=BATCH)
                print(
                    f"  {world.figures.steps} steps, {len(world.figures.violations)} violations",
                    file=sys.stderr,
                    flush=True,
                )
                for violation in world.figures.violations[seen:]:
                    print(f"    {type(violation).__name__}: {violation}", file=sys.stderr)
            elapsed = time.monotonic() - started
        finally:
            loop.call(world.close())
            loop.close()
    figures = world.figures
    kinds = Counter(type(v).__name__ for v in figures.violations)
    print(f"engine: {engine}")
    print(f"steps: {figures.steps}")
    print(f"steps_per_second: {figures.steps / elapsed:.2f}")
    for kind, count in kinds.most_common():
        first = next(v for v in figures.violations if type(v).__name__ == kind)
        print(f"  {kind}: {count} (first: {first})")
    print(f"longest_disagreement_seconds: {figures.longest_disagreement_seconds:.2f}")
    print(
        "longest_disagreement_after_faults_seconds: "
        f"{figures.longest_disagreement_after_faults_seconds:.2f}"
    )
    print(f"invariant_violations: {len(figures.violations)}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--steps", type=int, default=5000)
    args = parser.parse_args()
    return run(args.engine, args.steps)


if __name__ == "__main__":
    sys.exit(main())
