"""How urgent the work running now is: storing what Teams and Graph wait for an answer to (the
inboxes' writes before they answer), handling a security event (someone joining, a roster, a
call's state) with what must happen before it, and, above all, noting the recording gate
closed for good, which Teams' switch-off waits for.

Why: on SQLite the store has one writer, and under a flood of activities every unit of work
queues for it (the answers' group commits, the guards' notes, the files' records). A
stranger's join waited its turn behind the flood, tens of milliseconds a write, while the
answers' writes, made to wait behind urgent handling, let Teams' activities pile up
unanswered (a quarter of the throughput). But under a flood nearly everything is urgent
(every busy chat has a join in its backlog, which lifts its files), and answers waited in
line behind the handling of security events. So the inboxes' group commits, which every
answer to Teams and to Graph's calling service waits for, go before urgent work: each inbox
has one at a time, so together they take at most two turns of the writer in three. And the
one write that stands between a stranger and recording being switched off (the gate closed
for good, noted before Teams is changed) goes first of all: it is written once per meeting,
so it can starve nothing. The inboxes, the serial queues (`bot.serial_queue`) and the
recording notes know what is urgent; the store (`consent_store.writer`) hands its writer out
by urgency. Neither imports the other, so the level lives here, in a context variable: set
for the piece of work a queue runs (and the tasks it starts, unless they go through a queue
of their own), read when a unit of work queues for the writer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from enum import IntEnum


class Urgency(IntEnum):
    """Higher goes first."""

    ROUTINE = 0
    URGENT = 1
    """A security event being handled, or a notification Graph waits for an answer to."""
    ANSWERING = 2
    """An inbox's group commit (activities, calls notifications), which every answer waits
    for: one at a time per inbox, so the two take at most two turns of the writer in three."""
    GATE_CLOSING = 3
    """Noting the recording gate closed for good, which switching recording off waits for."""


_URGENCY: ContextVar[Urgency] = ContextVar("iass_urgency", default=Urgency.ROUTINE)


def urgency() -> Urgency:
    """How urgent the work running now is."""
    return _URGENCY.get()


@contextmanager
def _at(level: Urgency) -> Iterator[None]:
    token = _URGENCY.set(level)
    try:
        yield
    finally:
        _URGENCY.reset(token)


@contextmanager
def working(*, urgent: bool) -> Iterator[None]:
    """Run the block as urgent work, or as routine work."""
    with _at(Urgency.URGENT if urgent else Urgency.ROUTINE):
        yield


@contextmanager
def answering() -> Iterator[None]:
    """Run the block as an inbox's group commit: before urgent work."""
    with _at(Urgency.ANSWERING):
        yield


@contextmanager
def closing_the_gate() -> Iterator[None]:
    """Run the block as the note of the recording gate closing for good: first of all."""
    with _at(Urgency.GATE_CLOSING):
        yield
