"""Whether the work running now is urgent: storing what Teams and Graph wait for an answer to
(the inboxes' writes before they answer), and handling a security event (someone joining, a
roster, a call's state) with what must happen before it.

Why: on SQLite the store has one writer, and under a flood of activities every unit of work
queues for it (the answers' group commits, the guards' notes, the files' records). A
stranger's join needs three writes before recording is switched off (the chat's lease, their
presence, the gate closed for good), and each waited its turn behind the flood: tens of
milliseconds each; while the answers' writes, made to wait behind urgent handling, let Teams'
activities pile up unanswered (a quarter of the throughput). The inboxes and the serial
queues (`bot.serial_queue`) know what is urgent; the store
(`consent_store.writer`) hands its writer to urgent work first. Neither imports the other, so
the flag lives here, in a context variable: set for the piece of work a queue runs (and the
tasks it starts, unless they go through a queue of their own), read when a unit of work
queues for the writer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_URGENT: ContextVar[bool] = ContextVar("iass_urgent", default=False)


def is_urgent() -> bool:
    """Whether the work running now is urgent."""
    return _URGENT.get()


@contextmanager
def working(*, urgent: bool) -> Iterator[None]:
    """Run the block as urgent work, or not."""
    token = _URGENT.set(urgent)
    try:
        yield
    finally:
        _URGENT.reset(token)
