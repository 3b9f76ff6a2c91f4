"""The served bot in a process of its own, as `iass-bot serve` runs it, for the invariant
harness: started ahead of need (the imports take seconds) and told to serve by a line on
stdin, so a restart costs a kill and a line.

With `IASS_INVARIANTS_OUTAGE_FLAG` set to a path, every statement the bot's database engines
run fails with `OperationalError` while that file exists: the store is unreachable, as a
PostgreSQL server refusing connections makes it (the harness uses that on PostgreSQL; this
is how it takes SQLite away)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from bot.cli import audit, consent, db, dispose, keys, manifest, meeting, sar, serve, stats
from bot.cli.main import main

COMMANDS = (audit, consent, db, dispose, keys, manifest, meeting, sar, serve, stats)
"""Imported ahead: `iass-bot` imports its commands when it runs."""

OUTAGE_FLAG = "IASS_INVARIANTS_OUTAGE_FLAG"


def fail_while_flagged(flag: Path) -> None:
    """Every engine in this process refuses statements while `flag` exists."""

    def refuse(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if flag.exists():
            raise OperationalError(statement, None, ConnectionRefusedError("store unreachable"))

    event.listen(Engine, "before_cursor_execute", refuse)


def run() -> int:
    flag = os.environ.get(OUTAGE_FLAG)
    if flag:
        fail_while_flagged(Path(flag))
    print("imported", flush=True)
    if sys.stdin.readline().strip() != "serve":
        return 0
    return main(["serve"])


if __name__ == "__main__":
    sys.exit(run())
