"""Benchmark: the adversary of `tests/invariants` for thousands of steps. Serves the sandbox
tenant here and the bot in a process of its own over a scratch database (as
`tests/invariants/harness.py` describes), and lets hypothesis drive meetings through replies,
reviews, early and late starts, joins, recordings, Graph faults, store outages and bot
restarts, checking the recording invariant after every step. A violation is counted and ends
that meeting; the run goes on with the next.

Prints the steps taken and steps/s, each kind of violation with its first message, the longest
time Teams allowed recording while the rule did not permit it (in all, and from the end of the
faults), and last `invariant_violations: N`. Target: 0 over 5,000 steps.

With `--worlds N`, N worlds (each its own sandbox, bot process and database) run side by side
in processes of their own, sharing the steps; the figures are their sum (the longest
disagreements their maximum). A step mostly waits on the bot, so this shortens the run
without changing what each world sees, as long as the machine is not saturated.

    .venv/bin/python bench/invariants.py                  # PostgreSQL, 5000 steps
    .venv/bin/python bench/invariants.py --engine sqlite --steps 500
    .venv/bin/python bench/invariants.py --engine sqlite --worlds 3
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
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


@dataclass
class Outcome:
    """What one world (or several, summed) found."""

    steps: int = 0
    elapsed: float = 0.0
    violations: list[tuple[str, str]] = field(default_factory=list)
    longest: float = 0.0
    longest_after_faults: float = 0.0

    def add(self, other: Outcome) -> None:
        self.steps += other.steps
        self.elapsed = max(self.elapsed, other.elapsed)
        self.violations += other.violations
        self.longest = max(self.longest, other.longest)
        self.longest_after_faults = max(self.longest_after_faults, other.longest_after_faults)


def run_world(engine: Engine, steps: int, label: str) -> Outcome:
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
                    f"  {label}{world.figures.steps} steps, "
                    f"{len(world.figures.violations)} violations",
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
    return Outcome(
        figures.steps,
        elapsed,
        [(type(v).__name__, str(v)) for v in figures.violations],
        figures.longest_disagreement_seconds,
        figures.longest_disagreement_after_faults_seconds,
    )


def run_worlds(engine: Engine, steps: int, worlds: int) -> Outcome:
    """`worlds` processes, each running one world for its share of the steps."""
    share = -(-steps // worlds)
    children = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                *("--engine", engine, "--steps", str(share)),
                *("--as-world", str(number)),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for number in range(1, worlds + 1)
    ]
    outcome = Outcome()
    for child in children:
        out, _ = child.communicate()
        if child.returncode != 0:
            raise SystemExit(f"a world failed (exit {child.returncode})")
        outcome.add(Outcome(**json.loads(out.strip().splitlines()[-1])))
    return outcome


def report(engine: Engine, outcome: Outcome) -> None:
    kinds = Counter(kind for kind, _ in outcome.violations)
    print(f"engine: {engine}")
    print(f"steps: {outcome.steps}")
    print(f"steps_per_second: {outcome.steps / outcome.elapsed:.2f}")
    for kind, count in kinds.most_common():
        first = next(message for k, message in outcome.violations if k == kind)
        print(f"  {kind}: {count} (first: {first})")
    print(f"longest_disagreement_seconds: {outcome.longest:.2f}")
    print(f"longest_disagreement_after_faults_seconds: {outcome.longest_after_faults:.2f}")
    print(f"invariant_violations: {len(outcome.violations)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--steps", type=int, default=5000)
    parser.add_argument("--worlds", type=int, default=1)
    parser.add_argument("--as-world", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.as_world:
        outcome = run_world(args.engine, args.steps, f"world {args.as_world}: ")
        print(json.dumps(outcome.__dict__))
        return 0
    if args.worlds > 1:
        outcome = run_worlds(args.engine, args.steps, args.worlds)
    else:
        outcome = run_world(args.engine, args.steps, "")
    report(args.engine, outcome)
    return 0


if __name__ == "__main__":
    sys.exit(main())
