"""The adversary as a hypothesis state machine: each example schedules one meeting and then
interleaves replies, reviews, starts, joins and leaves, recordings, Graph faults, store
outages, bot restarts, calm and waiting; every step is checked (`Meeting.act`), and the
example ends with the faults stopped and the last checks (`Meeting.finish`).

`adversary_against` binds the machine to a running `World`. With `collect=True` (the
benchmark) a violation is counted in the world's figures and the meeting's remaining steps do
nothing, instead of failing the run."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule

from tests.invariants.harness import (
    GRAPH_STATUSES,
    INVITEES,
    STRANGERS,
    InvariantViolation,
    LoopThread,
    Meeting,
    ReplyKind,
    World,
)
from tests.invariants.model import Answer

TRAIL = 15
"""How many of a meeting's last steps a violation shows."""
REPLY_KINDS: tuple[ReplyKind, ...] = ("yes", "yes", "no", "withdraw", "unclear")
PEOPLE = (*INVITEES, *STRANGERS)


class Adversary(RuleBasedStateMachine):
    world: World
    loop: LoopThread
    collect: bool

    def __init__(self) -> None:
        super().__init__()
        self.meeting: Meeting | None = None
        self.spoiled = False
        self.violation: InvariantViolation | None = None

    def _m(self) -> Meeting:
        assert self.meeting is not None
        return self.meeting

    def _run(self, action: Coroutine[Any, Any, None], label: str = "") -> None:
        if self.spoiled:
            action.close()
            return
        try:
            self.loop.call(self._m().act(action, label or action.__name__))
        except InvariantViolation as violation:
            self._violated(violation)

    def _violated(self, violation: InvariantViolation) -> None:
        """Keep the violation (raised at teardown) or with `collect` count it; the meeting's
        remaining steps do nothing. Steps are drawn the same whenever a violation is seen
        (preconditions do not depend on what happened), so hypothesis can replay and shrink
        an example although the bot's timing varies."""
        self.spoiled = True
        if self.meeting is not None and self.meeting.trail:
            trail = "\n      ".join(self.meeting.trail[-TRAIL:])
            violation.args = (f"{violation}\n      {trail}",)
        if self.collect:
            self.world.figures.violations.append(violation)
        else:
            self.violation = violation

    def _live(self) -> bool:
        return self.meeting is not None

    @initialize(starts_in=st.sampled_from([3, 6, 60]), agreed=st.booleans())
    def schedule(self, starts_in: int, agreed: bool) -> None:
        """A new meeting; when `agreed`, everyone has consented and Teams allows recording
        before the adversary begins (the state worth attacking)."""
        self.meeting = Meeting(self.world, starts_in)
        self.loop.call(self.meeting.schedule())
        if agreed:
            self._run(self._agreed())

    async def _agreed(self) -> None:
        await self._m().everyone_agrees()
        await self._m().converges()

    @precondition(_live)
    @rule(person=st.sampled_from(INVITEES), kind=st.sampled_from(REPLY_KINDS))
    def reply(self, person: str, kind: ReplyKind) -> None:
        self._run(self._m().reply(person, kind), f"reply {person.split('@')[0]} {kind}")

    @precondition(_live)
    @rule()
    def everyone_agrees(self) -> None:
        """Every invitee replies "Yes" (the state worth attacking is rarely reached one
        random reply at a time)."""
        self._run(self._m().everyone_agrees())

    @precondition(_live)
    @rule(index=st.integers(0, 3), answer=st.sampled_from(["given", "given", "refused"]))
    def review(self, index: int, answer: Answer) -> None:
        self._run(self._m().review(index, answer), f"review {index} {answer}")

    @precondition(_live)
    @rule()
    def start(self) -> None:
        if not self._m().started:
            self._run(self._m().start())

    @precondition(_live)
    @rule(who=st.sampled_from(PEOPLE))
    def join(self, who: str) -> None:
        if self._m().started and who not in self._m().present:
            self._run(self._m().join(who), f"join {who.split('@')[0]}")

    @precondition(_live)
    @rule(index=st.integers(0, 4))
    def leave(self, index: int) -> None:
        others = [who for who in self._m().present if who in PEOPLE]
        if self._m().started and others:
            leaving = others[index % len(others)]
            self._run(self._m().leave(leaving), f"leave {leaving.split('@')[0]}")

    @precondition(_live)
    @rule()
    def press_record(self) -> None:
        if self._m().started and not self._m().recording:
            self._run(self._m().press_record())

    @precondition(_live)
    @rule()
    def stop_recording(self) -> None:
        if self._m().recording:
            self._run(self._m().stop_recording())

    @precondition(_live)
    @rule(
        status=st.sampled_from(GRAPH_STATUSES),
        count=st.integers(1, 3),
        aimed_at=st.sampled_from(["recording", "mail", None]),
        slow=st.sampled_from([0.0, 0.0, 0.5, 2.0]),
    )
    def graph_fails(self, status: int, count: int, aimed_at: str | None, slow: float) -> None:
        self._run(
            self.world.graph_fault(status, count, aimed_at, slow),
            f"graph {status} x{count} at {aimed_at} slow {slow}",
        )

    @precondition(_live)
    @rule()
    def store_goes_away_or_comes_back(self) -> None:
        world = self.world
        if world.outage:
            self._run(world.end_outage(), "store back")
        else:
            self._run(world.begin_outage(), "store down")

    @precondition(_live)
    @rule(crash=st.booleans())
    def bot_restarts(self, crash: bool) -> None:
        self._run(self.world.restart_bot(crash=crash), "bot crashes" if crash else "bot restarts")

    @precondition(_live)
    @rule()
    def calm(self) -> None:
        self._run(self._calm())

    async def _calm(self) -> None:
        await self.world.calm()
        await self._m().check()
        await self._m().converges()

    @precondition(_live)
    @rule(seconds=st.sampled_from([0.5, 2.0]))
    def time_passes(self, seconds: float) -> None:
        self._run(asyncio.sleep(seconds), f"wait {seconds}s")

    def teardown(self) -> None:
        if self.meeting is None:
            return
        spoiled, self.spoiled = self.spoiled, True
        try:
            self.loop.call(self.meeting.finish(check=not spoiled))
        except InvariantViolation as violation:
            self._violated(violation)
        if self.violation is not None:
            raise self.violation


def adversary_against(world: World, loop: LoopThread, *, collect: bool) -> type[Adversary]:
    return type(
        "AdversaryAgainstTheBot", (Adversary,), {"world": world, "loop": loop, "collect": collect}
    )
