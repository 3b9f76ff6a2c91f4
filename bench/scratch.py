"""What the benchmarks share: a scratch database made for the run and removed after, fresh
keys, and progress lines on stderr (so a benchmark's stdout is only its figures)."""

from __future__ import annotations

import os
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg

from consent_store.keys import KeyRing, new_key, parse_key_ring

ADMIN_URL = os.environ.get("IASS_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@asynccontextmanager
async def scratch_database(engine: str) -> AsyncIterator[str]:
    """A new empty database for the run (`sqlite` or `postgresql`), removed afterwards."""
    if engine == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        return
    name = f"iass_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(ADMIN_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    try:
        server = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
        yield f"{server}/{name}"
    finally:
        admin = await asyncpg.connect(ADMIN_URL)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def fresh_key_ring() -> KeyRing:
    return parse_key_ring(
        encryption_keys=f"bench:{new_key()}",
        active_key_id="bench",
        blind_index_key=new_key(),
        audit_key=new_key(),
    )


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
