"""The heap settled once the bot has started, so the garbage collector's full collections do
not stall the event loop.

Why: CPython's full collection walks every object the collector tracks, and the bot holds
a great many long-lived ones once started (msgraph-sdk's and the Agents SDK's classes,
SQLAlchemy's mappers, the clients and their caches). Measured over a run of
`bench/activities.py`, 24 full collections of 198 ms median (252 ms at most) stopped everything
in hand for their length: every answer to Teams, and a stranger's switch of the recording
setting.
`gc.freeze()` moves what exists at start-up to a permanent generation that collections skip
(the `gc` module's documentation describes it for this), and a first generation of 10,000
objects instead of 700 makes collections of what is made later rarer: three full collections
of 93 ms median in the same run. Objects made after start-up are still collected; reference
counting frees all but cycles at once, as before.
"""

from __future__ import annotations

import gc

YOUNGEST_GENERATION = 10_000
"""Allocations (less deallocations) between collections of the youngest generation; CPython's
default is 700. The older generations keep their defaults (each collected after ten of the
one before)."""


def settle_heap() -> None:
    """Collect once, set what is left aside from later collections, and collect less often.
    Call once start-up is over (a served application's last start-up step)."""
    gc.collect()
    gc.freeze()
    _youngest, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNGEST_GENERATION, middle, oldest)
